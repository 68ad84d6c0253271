"""Real-browser tests: headless Chromium against the example projects (marked ``browser``)."""
