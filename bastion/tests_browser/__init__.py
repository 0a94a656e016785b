"""Browser journeys: Playwright drives Debian's Chromium through the live server, in Chinese."""
