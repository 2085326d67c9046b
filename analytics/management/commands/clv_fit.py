"""manage.py clv_fit: fit the lifetime-value models on the completed sales and store every customer's
prediction (probability still active, expected orders in 90 days, predicted 12-month value)."""

import datetime as dt
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from analytics.customer_value import clv_fit

BAD_DATE = "--calibration-end must be a date like 1997-09-30, got {value!r}."


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(BAD_DATE.format(value=value)) from None


class Command(BaseCommand):
    help = "Fit BG/NBD and Gamma-Gamma on the completed sales and store the customers' predicted value."

    def add_arguments(self, parser):
        parser.add_argument(
            "--calibration-end", type=_date, default=None,
            help="Fit on sales up to and including this day (YYYY-MM-DD; default: the last sale's day).",
        )
        parser.add_argument(
            "--holdout-end", type=_date, default=None,
            help="Also print predicted against actual repeat orders from the calibration end to this day.",
        )
        parser.add_argument("--json", action="store_true", help="Print the fitted parameters as JSON.")

    def handle(self, *args, calibration_end=None, holdout_end=None, json=False, **options):
        try:
            result = clv_fit(calibration_end=calibration_end, holdout_end=holdout_end)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_json({"bgnbd": result.bgnbd, "gamma_gamma": result.gamma_gamma,
                                     "customers": result.customers}))
            if result.holdout:
                self.stderr.write(result.holdout)
            return
        self.stdout.write(self.style.SUCCESS(result.line()))
        if result.holdout:
            self.stdout.write(result.holdout)


def _json(data) -> str:
    return jsonlib.dumps(data, indent=2)
