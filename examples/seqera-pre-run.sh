#!/usr/bin/env bash
# preflight as a Seqera Platform pre-run script: stop the run before Nextflow starts when Wave
# would not be able to pull the pipeline's private Azure Container Registry images.
#
# Where it goes: the "Pre-run script" field (Launch form > Advanced options, a Launchpad
# pipeline's settings, or a compute environment's staging options), or
#   tw launch <pipeline> --pre-run=seqera-pre-run.sh ...
# The head job runs it before `nextflow run`. When the gate says no (or preflight cannot run),
# it exits non-zero and the run ends there, with preflight's report in the execution log.
#
# Settings: edit the defaults below, or set these variables in the compute environment.
#   PREFLIGHT_PIPELINE  what the launch runs: a Git URL or org/repo (as nextflow run takes it),
#                       or a directory the head job can read
#   PREFLIGHT_REVISION  branch, tag or commit to check (default: the repository's default branch)
#   PREFLIGHT_PROFILE   the run's profiles, comma-separated (as in -profile)
#   PREFLIGHT_ARGS      more options for preflight check, space-separated (e.g. --offline)
#   PREFLIGHT_INSTALL   pip requirement to install preflight from when the head job's image
#                       does not have it (a wheel URL, or git+https://...); needs python3
#
# Platform already gives the head job TOWER_ACCESS_TOKEN, TOWER_WORKSPACE_ID and
# TOWER_API_ENDPOINT, which preflight reads. The Azure-side checks need an Azure identity in the
# head job as well (for example a managed identity and AZURE_CLIENT_ID).
#
# Safe to source or to execute: it changes no shell options and leaves no variables behind;
# on success it returns quietly so the launch carries on.

preflight_gate() (
    set -uo pipefail
    pipeline="${PREFLIGHT_PIPELINE:-}"
    revision="${PREFLIGHT_REVISION:-}"
    profile="${PREFLIGHT_PROFILE:-}"
    extra="${PREFLIGHT_ARGS:-}"
    install="${PREFLIGHT_INSTALL:-}"

    if [ -z "$pipeline" ]; then
        echo "preflight: set PREFLIGHT_PIPELINE to the pipeline this launch runs" >&2
        return 2
    fi

    if ! command -v preflight >/dev/null 2>&1; then
        if [ -z "$install" ] || ! command -v python3 >/dev/null 2>&1; then
            echo "preflight: not installed in the head job; use a launch container that has it," \
                "or set PREFLIGHT_INSTALL (needs python3)" >&2
            return 2
        fi
        venv="$(mktemp -d)/preflight-venv"
        python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "$install" || return 2
        PATH="$venv/bin:$PATH"
    fi

    # A directory is checked as it is; anything else is fetched the way Nextflow fetches it.
    if [ -d "$pipeline" ]; then
        directory="$pipeline"
    else
        if ! command -v nextflow >/dev/null 2>&1; then
            echo "preflight: nextflow is needed to fetch $pipeline" >&2
            return 2
        fi
        pull=(nextflow pull "$pipeline")
        if [ -n "$revision" ]; then pull+=(-r "$revision"); fi
        "${pull[@]}" >&2 || return 2
        name="${pipeline%.git}"
        name="${name#*://}"
        case "$pipeline" in *://*) name="${name#*/}" ;; esac
        directory="${NXF_ASSETS:-${NXF_HOME:-$HOME/.nextflow}/assets}/$name"
    fi

    options=(--platform-launch --format text)
    if [ -n "$profile" ]; then options+=(-profile "$profile"); fi
    if [ -n "$extra" ]; then
        read -r -a more <<< "$extra"
        options+=("${more[@]}")
    fi

    echo "preflight: checking $directory before launch" >&2
    preflight check "$directory" "${options[@]}"
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "preflight: stopping this run (exit $status); the report above says what to fix" >&2
    fi
    return "$status"
)

preflight_gate || exit $?
unset -f preflight_gate
