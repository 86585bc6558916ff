#!/usr/bin/env bash
# Makes the two ways to install jailgrade without compiling it (docs/install.md):
#   OUT/tool/       jailgrade.VERSION.nupkg, the .NET tool package (needs a .NET 10 runtime)
#   OUT/linux-x64/  jailgrade, a self-contained single-file executable (needs nothing)
# each with a CycloneDX bill of materials (*.cdx.json) and a SHA256SUMS file covering both; the tool
# folder also gets the nuget.config that lists it as the only package source.
# Usage: build/package.sh [OUT]   (default: artifacts/package)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/package}")

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Zip entries dated by the commit, not the clock, so two packs of one commit are the same bytes.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
export SOURCE_DATE_EPOCH
version=$(dotnet msbuild src/Jailgrade.Cli -getProperty:Version)
assets=src/Jailgrade.Cli/obj/project.assets.json
# Source paths recorded as /_/ rather than this checkout's folder.
reproducible=(-c Release -p:ContinuousIntegrationBuild=true)

rm -rf "$out/tool" "$out/linux-x64"
mkdir -p "$out/tool" "$out/linux-x64"

dotnet pack src/Jailgrade.Cli "${reproducible[@]}" -o "$out/tool"
dotnet run build/Sbom.cs -- "$assets" jailgrade "$version" "$out/tool/jailgrade.$version.cdx.json"

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
dotnet publish src/Jailgrade.Cli "${reproducible[@]}" -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=embedded -o "$staging"
cp "$staging/jailgrade" "$out/linux-x64/jailgrade"
dotnet run build/Sbom.cs -- "$assets" jailgrade "$version" "$out/linux-x64/jailgrade.cdx.json"

# The only package source an offline install needs: this folder ("." is read relative to the file).
cat > "$out/tool/nuget.config" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="jailgrade" value="." />
  </packageSources>
</configuration>
XML

(cd "$out/tool" && sha256sum -- *.nupkg *.cdx.json > SHA256SUMS)
(cd "$out/linux-x64" && sha256sum -- jailgrade *.cdx.json > SHA256SUMS)

echo
echo "jailgrade $version packaged in $out:"
(cd "$out" && find tool linux-x64 -type f | sort)
