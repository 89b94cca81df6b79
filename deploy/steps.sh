# shellcheck shell=bash
# Sourced by deploy/install-deps, deploy/run and tests/run: set-up that says what it is
# doing, one line per step with its duration.

# Microseconds since the epoch (EPOCHREALTIME without its decimal point, whatever the locale's).
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# The time since now_us said $1, as "12.3 s".
since() {
  local us=$(($(now_us) - $1))
  printf '%d.%d s' $((us / 1000000)) $((us / 100000 % 10))
}

# step [--show] WHAT COMMAND...: prints "WHAT ... 12.3 s" on one line around COMMAND, whose
# output is kept aside: shown after the line with --show, else only if COMMAND fails (the line
# then ends "failed after 12.3 s"). Returns COMMAND's status.
step() {
  local show=0 began log rc=0
  if [ "$1" = --show ]; then show=1; shift; fi
  local what=$1; shift
  began=$(now_us)
  log=$(mktemp)
  printf '%s ... ' "$what"
  "$@" >"$log" 2>&1 </dev/null || rc=$?
  if [ $rc -eq 0 ]; then
    since "$began"; echo
    [ $show -eq 0 ] || cat "$log"
  else
    echo "failed after $(since "$began")"
    tail -n 40 "$log"
  fi
  rm -f "$log"
  return $rc
}
