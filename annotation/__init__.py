"""Human gold checks in Label Studio: label configs, push a stratified sample, pull the
annotations back as a gold split, and measure the automatic filters against it."""
