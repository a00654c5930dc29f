"""npgrad.optim"""
