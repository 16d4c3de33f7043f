#!/usr/bin/env bash
# Make sure the Debian packages the tests need are installed.
# Installs them when running as root or with password-less sudo; otherwise prints the one
# command that installs them and fails (the tests never pass by skipping what needs them).
set -euo pipefail
declare -A binary=([chromium]=/usr/bin/chromium [nginx]=/usr/sbin/nginx [default-jre-headless]=/usr/bin/java [nodejs]=/usr/bin/node [npm]=/usr/bin/npm [rsync]=/usr/bin/rsync [poppler-utils]=/usr/bin/pdftotext [hugo]=/usr/bin/hugo [time]=/usr/bin/time)
missing=()
for pkg in "$@"; do
  path="${binary[$pkg]:-}"
  if [ -n "$path" ] && [ -x "$path" ]; then continue; fi
  if [ -z "$path" ] && dpkg -s "$pkg" >/dev/null 2>&1; then continue; fi
  missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "Missing system packages: ${missing[*]}. Install them with: sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
