"""What the project ships: the 2016 plan, the sample directories, the calendar, the review angles."""
from pathlib import Path

SEED = Path(__file__).resolve().parent
SHENYANG_2016 = SEED / "shenyang_2016.yaml"
SAMPLE_DIRECTORY = SEED / "directory.yaml"
DISTRICTS_DIR = SEED / "districts"
CALENDAR_DIR = SEED / "calendar"
REVIEW_ANGLES = SEED / "review_angles.yaml"
# Derived from the city plan for each district and county, and for each industry regulator.
DISTRICT_PLAN = SEED / "district_plan.yaml"
REGULATOR_PLAN = SEED / "regulator_plan.yaml"

# Shenyang's 13 districts and counties in 2016, by their GB/T 2260 codes.
DISTRICT_CODES: tuple[str, ...] = (
    "210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114", "210115",
    "210123", "210124", "210181",
)


def sample_directory_path() -> Path:
    """The sample directory shipped with the project (addresses under shenyang.example.org)."""
    return SAMPLE_DIRECTORY


def district_directory_path(code: str) -> Path:
    """One district's sample directory, its departments under that district's government."""
    if code not in DISTRICT_CODES:
        raise ValueError(f"no sample directory for district {code!r}; the districts are {', '.join(DISTRICT_CODES)}")
    return DISTRICTS_DIR / f"{code}.yaml"
