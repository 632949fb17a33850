#!/usr/bin/env pwsh
# Mirror of .ci/run: installs PostgreSQL on Linux when missing, runs README.md's test command and prints "N passed, N failed".
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

# As .ci/run: the PostgreSQL task store's tests start a private PostgreSQL server; install it on Linux when no initdb is found.
if ($IsLinux -and -not (Get-Command initdb -ErrorAction SilentlyContinue) -and -not (Test-Path '/usr/lib/postgresql/*/bin/initdb')) {
    Write-Output 'installing PostgreSQL for the task store tests'
    & bash -c 'apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >/dev/null 2>&1'
    if ($LASTEXITCODE -ne 0) { Write-Output 'warning: apt-get install postgresql failed; the PostgreSQL tests will fail' }
}

dotnet test Pmcp.Actors.sln 2>&1 | Tee-Object -Variable output | Out-Host
$status = $LASTEXITCODE

function Sum([string]$name) {
    $total = 0
    foreach ($line in $output) {
        if ("$line" -match '^(Passed|Failed)!' -and "$line" -match "${name}:\s+(\d+)") { $total += [int]$Matches[1] }
    }
    return $total
}

$passed = Sum 'Passed'
$failed = Sum 'Failed'
$skipped = Sum 'Skipped'
if ($status -ne 0 -and $failed -eq 0) { $failed = 1 }

$summary = "$passed passed, $failed failed"
if ($skipped -gt 0) { $summary += ", $skipped skipped" }
Write-Output $summary
exit $status
