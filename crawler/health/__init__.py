"""Source health: after every run, judge the source from its own history (crawler.health.monitors),
store the verdict, and alert once per change of state through the [health] notify URLs.

    from crawler.health import after_run, deliver_alerts
"""
from crawler.health.actions import after_run, check_sources, deliver_alerts, verdicts
from crawler.health.monitors import HEALTHY, STATES, HealthSuite, History

__all__ = ["HEALTHY", "STATES", "HealthSuite", "History", "after_run", "check_sources", "deliver_alerts", "verdicts"]
