"""Run the benchmarks and print each figure beside its floor and goal.

python -m tests.benchmarks            # all of them
python -m tests.benchmarks start search   # only modules whose name matches
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from dataclasses import dataclass

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    floor: float | None
    goal: str

    def line(self) -> str:
        floor = "" if self.floor is None else f"{self.floor:10.2f} {self.unit:<4}"
        ratio = (
            f"{self.value / self.floor:5.2f}x"
            if self.floor not in (None, 0)
            else "   -  "
        )
        return (
            f"{self.name:<48} {self.value:10.2f} {self.unit:<4} "
            f"{floor:<16} {ratio}  {self.goal}"
        )


def main(selected: list[str]) -> int:
    import tests.benchmarks as package

    modules = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("bench_")
    )
    if selected:
        modules = [m for m in modules if any(word in m for word in selected)]
    header = f"{'figure':<48} {'value':>15} {'floor':>16} {'ratio':>6}  goal"
    sys.stdout.write(header + "\n" + "-" * len(header) + "\n")
    figures: list[Figure] = []

    def report(
        name: str, value: float, unit: str, floor: float | None, goal: str
    ) -> None:
        figure = Figure(name, value, unit, floor, goal)
        figures.append(figure)
        sys.stdout.write(figure.line() + "\n")
        sys.stdout.flush()

    for name in modules:
        started = time.perf_counter()
        module = importlib.import_module(f"tests.benchmarks.{name}")
        module.run(report)
        sys.stdout.write(f"  ({name} took {time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
