"""NovaSaaS ERP."""
