"""npgrad.utils.data"""
