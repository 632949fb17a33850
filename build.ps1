#!/usr/bin/env pwsh
# Windows mirror of .ci/run: runs README.md's test command and prints "N passed, N failed".
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

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
