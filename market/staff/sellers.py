"""Staff UI for sellers: applications, approval, certifications, farmer scoping."""
