"""Forecasts ("what comes next") and anomalies ("which days were not normal") for daily or
weekly series: numpy arrays and date lists in, plain dataclasses out. No Django here."""

from .anomalies import Anomaly, find_anomalies
from .backtest import Backtest, backtest
from .features import fill_gaps
from .forecast import Forecast, ModelSpec, forecast

__all__ = ["Anomaly", "Backtest", "Forecast", "ModelSpec", "backtest", "fill_gaps", "find_anomalies", "forecast"]
