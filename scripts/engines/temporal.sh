#!/usr/bin/env bash
# The Temporal CLI, whose `server start-dev` embeds the real server, SQLite persistence and
# visibility, the Web UI and the HTTP API. v1.5.1 is the last tag whose go.mod has no
# `replace` (github.com/temporalio/cli go.mod), so plain `go install` works.
set -euo pipefail
version=v1.5.1
if installed temporal "$version" && [[ -x "$FINEFLOW_ENGINES/bin/temporal" ]]; then
  echo "temporal $version: already installed ($FINEFLOW_ENGINES/bin/temporal)"
  exit 0
fi
echo "temporal $version: building github.com/temporalio/cli/cmd/temporal (several minutes cold)"
GOBIN="$FINEFLOW_ENGINES/bin" go install "github.com/temporalio/cli/cmd/temporal@$version"
"$FINEFLOW_ENGINES/bin/temporal" --version
stamp temporal "$version"
