"""One definition of each breakdown band and label shared by the live metrics and the
analysis of data (imported or the system's own): who is in which age band, and what a
missing demographic reads as."""

from __future__ import annotations

# The report's age bands for preventive outcomes: (highest age in whole years, label),
# then everyone older (report ~374-379).
AGE_BANDS = ((5, "0-5"), (12, "6-12"), (17, "13-17"), (24, "18-24"))
AGE_OLDEST = "25+"
UNKNOWN = "unknown"  # a demographic not recorded
