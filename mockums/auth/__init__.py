"""Authentication: parsing the Authorization header, the signing rules, access tokens, and the
verdict with its diagnosis. Pure: no HTTP."""
