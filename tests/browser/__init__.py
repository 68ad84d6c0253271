"""Real-browser tests: headless Chromium and Firefox against the example projects
(marked ``browser``)."""
