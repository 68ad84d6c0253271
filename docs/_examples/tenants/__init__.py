"""The tenants app that the documentation's CORS_ALLOWED_ORIGIN_FUNC example names."""
