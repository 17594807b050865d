#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, the only version Rasa 3.6 runs on.
# Looks, in order, at $PYTHON, `python3.10` on PATH, then pyenv's installed versions,
# and names everything it tried when none works.
set -u

works() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

if [ -n "${PYTHON:-}" ]; then
  works "$PYTHON" && { echo "$PYTHON"; exit 0; }
  echo "error: PYTHON=$PYTHON is not a working Python 3.10 (Rasa 3.6 needs exactly 3.10)." >&2
  exit 1
fi

tried=()
candidates=()
candidates+=("$(command -v python3.10 2>/dev/null || true)")
if command -v pyenv >/dev/null 2>&1; then
  candidates+=("$(PYENV_VERSION="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | tail -n 1)" pyenv which python3.10 2>/dev/null || true)")
  candidates+=("$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10)
fi
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] || continue
  tried+=("$candidate")
  if works "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

{
  echo "error: no Python 3.10 found (Rasa 3.6 needs exactly 3.10)."
  echo "  looked at: 'python3.10' on PATH, and pyenv's versions/3.10*"
  [ ${#tried[@]} -gt 0 ] && printf '  tried and rejected: %s\n' "${tried[@]}"
  echo "  fix: install it (e.g. 'pyenv install 3.10.13') or run: make run PYTHON=/path/to/python3.10"
} >&2
exit 1
