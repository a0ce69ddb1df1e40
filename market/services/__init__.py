"""Write-side use cases of the market app, one module per area.

`sellers` (onboarding, approval, store provisioning), `catalogue` (product
summaries, stock), `imports` (the catalogue CSV import), `certifications`.
"""
