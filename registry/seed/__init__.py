"""What the project ships: the 2016 plan, the sample directory, the calendar, the review angles."""
from pathlib import Path

SEED = Path(__file__).resolve().parent
SHENYANG_2016 = SEED / "shenyang_2016.yaml"
SAMPLE_DIRECTORY = SEED / "directory.yaml"
CALENDAR_DIR = SEED / "calendar"
REVIEW_ANGLES = SEED / "review_angles.yaml"
# Derived from the city plan for each district and county, and for each industry regulator.
DISTRICT_PLAN = SEED / "district_plan.yaml"
REGULATOR_PLAN = SEED / "regulator_plan.yaml"


def sample_directory_path() -> Path:
    """The sample directory shipped with the project (addresses under shenyang.example.org)."""
    return SAMPLE_DIRECTORY
