"""npgrad.datasets"""
