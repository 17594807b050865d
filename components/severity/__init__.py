"""The severity assessment of a described problem (S0-S3), added to every `/model/parse`.

- `model`: the classifier (scikit-learn: TF-IDF of words and character n-grams, logistic
  regression), with no Rasa in it;
- `cues`: which words of the message weighed most toward the level, quoted as reasons;
- `component`: the Rasa graph component (`SeverityAssessor`) that trains the model on
  the NLU examples labelled with a severity and annotates every parsed message.
"""

from components.severity.component import SeverityAssessor, SeverityTrainingError

__all__ = ["SeverityAssessor", "SeverityTrainingError"]
