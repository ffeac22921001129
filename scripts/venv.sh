# Shared by scripts/serve and scripts/test: a virtual environment in .venv on Python 3.12+.

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "carmsupport needs Python 3.12 or newer (3.13 recommended), and none was found." >&2
  echo "Install one (for example 'pyenv install 3.13', or your system's python3.13 package) and run this again." >&2
  return 1
}

# ensure_venv REQUIREMENTS_FILE: create .venv if needed and install the file when it changed.
ensure_venv() {
  local requirements=$1 python stamp
  if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
    python=$(find_python) || exit 1
    rm -rf .venv
    echo "Creating a virtual environment in .venv with $("$python" --version)"
    "$python" -m venv .venv
  fi
  stamp=".venv/installed-$(cat requirements*.txt | cksum | cut -d' ' -f1)-$(basename "$requirements")"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    touch "$stamp"
  fi
}

# ensure_debian_packages COMMAND:PACKAGE ...: install each package whose command is missing, with
# apt-get as root or through sudo; otherwise stop and say what to install.
ensure_debian_packages() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local as=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as=(sudo)
    else
      echo "The tests need these Debian packages: ${missing[*]}. Install them with:" >&2
      echo "    sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "Installing ${missing[*]} with apt-get"
  "${as[@]}" apt-get update -qq
  "${as[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_translations: compile the French catalogue (GNU gettext's msgfmt).
ensure_translations() {
  ensure_debian_packages msgfmt:gettext
  .venv/bin/python manage.py compilemessages --ignore=.venv --verbosity 0
}
