# Services the test suite needs besides the main virtualenv (each fragment adds to `services`).
.PHONY: services
services:
