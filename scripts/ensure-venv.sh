#!/usr/bin/env bash
# Create the virtual environment; on Debian/Ubuntu without python3-venv, install it or say how.
set -euo pipefail
python="$1"; venv="$2"
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed; found $("$python" --version 2>&1)." >&2
  exit 1
fi
if "$python" -m venv "$venv" 2>/dev/null; then exit 0; fi
rm -rf "$venv"
pkg="python3-venv"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "Cannot create a virtual environment. Install it with: sudo apt-get install -y $pkg" >&2
  exit 1
fi
$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"
"$python" -m venv "$venv"
