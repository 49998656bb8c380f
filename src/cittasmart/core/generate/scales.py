"""How much ``generate_data`` makes at each scale: the only place where the numbers live.

L is the size of the load benchmarks; M is a tenth of it; S is a small fixed table that keeps the tests fast. The
headline rows (users, ideas, supports, comments, survey records, actions, measurements, meetings, registrations)
are exact; the parents (organisations, processes, tours…) are what those rows need to be realistic.
"""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Scale:
    users: int
    organisations: int
    memberships: int
    survey_rounds: int
    survey_records: int
    actions: int
    indicators: int
    measurements: int
    processes: int
    ideas: int
    supports: int
    comments: int
    themes: int
    tours: int
    meetings: int
    registrations: int

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


SCALES: dict[str, Scale] = {
    "S": Scale(
        users=100,
        organisations=8,
        memberships=12,
        survey_rounds=2,
        survey_records=10,
        actions=5,
        indicators=4,
        measurements=20,
        processes=5,
        ideas=50,
        supports=1_000,
        comments=200,
        themes=4,
        tours=2,
        meetings=10,
        registrations=200,
    ),
    "M": Scale(
        users=10_000,
        organisations=60,
        memberships=300,
        survey_rounds=2,
        survey_records=1_000,
        actions=50,
        indicators=100,
        measurements=2_000,
        processes=10,
        ideas=5_000,
        supports=100_000,
        comments=20_000,
        themes=6,
        tours=8,
        meetings=200,
        registrations=20_000,
    ),
    "L": Scale(
        users=100_000,
        organisations=200,
        memberships=2_000,
        survey_rounds=2,
        survey_records=10_000,
        actions=500,
        indicators=1_000,
        measurements=20_000,
        processes=20,
        ideas=50_000,
        supports=1_000_000,
        comments=200_000,
        themes=8,
        tours=20,
        meetings=2_000,
        registrations=200_000,
    ),
}
