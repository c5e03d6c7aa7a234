"""Long-term tasks' self-reports (自查报告) as read: each accepted report's figures and narrative, and
the period's supervision report (督导检查通报) compiled from them."""
