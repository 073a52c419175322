"""Departments and users, and who may own a record at a given time.

Sales managers sit in teams under two sales departments; heads of teams never leave, some
managers are hired during the window and some leave (their users become inactive but keep the
records they owned — dirty data a steward should see). Records are only assigned to users who
are employed for the whole month of the record, so a leaver's records all predate the leaving.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .clock import DAY, Clock
from .names import FEMALE_FIRST, LAST, MALE_FIRST

FURNITURE_LINE, REAL_ESTATE_LINE, CALL_CENTER_LINE = "furniture", "real_estate", "call_center"


@dataclass
class Department:
    id: int
    name: str
    parent: int | None
    sort: int = 500
    head: int | None = None
    line: str | None = None  # which sales line a team serves


@dataclass
class User:
    id: int
    name: str
    last_name: str
    gender: str
    position: str
    department: int
    line: str | None
    start_day: int  # first employed day (window days; negative = before the window)
    end_day: int | None  # last day before deactivation, None = still active
    is_head: bool = False

    @property
    def active(self) -> bool:
        return self.end_day is None


@dataclass
class Staff:
    departments: list[Department]
    users: list[User]
    # (line, month index) -> user ids employed for the whole month
    pools: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    all_sales: tuple[int, ...] = ()

    def pick(self, line: str, month: int, r: random.Random) -> int:
        pool = self.pools.get((line, month)) or self.pools[(line, -1)]
        return pool[int(r.random() * len(pool))]


def build_staff(n_users: int, clock: Clock, r: random.Random) -> Staff:
    """Departments (3+ levels) and exactly `n_users` users with roles, hires and leavers."""
    n_call = max(1, round(n_users * 0.1))
    n_marketing = max(1, round(n_users * 0.05))
    n_management = 2
    n_sales = n_users - n_call - n_marketing - n_management
    n_furniture = max(3, round(n_sales * 0.6))
    n_real_estate = n_sales - n_furniture

    departments: list[Department] = []

    def add_dep(name: str, parent: int | None, line: str | None = None) -> Department:
        dep = Department(len(departments) + 1, name, parent, line=line)
        departments.append(dep)
        return dep

    root = add_dep("Uyut Home Group", None)
    management = add_dep("Management", root.id)
    furniture = add_dep("Furniture sales", root.id)
    real_estate = add_dep("Real-estate sales", root.id)
    call_center = add_dep("Call center", root.id)
    marketing = add_dep("Marketing", root.id)

    team_size = 8
    showrooms = ("Leningradsky showroom", "Khimki showroom", "Krasnogorsk showroom",
                 "Mytishchi showroom", "Balashikha showroom", "Podolsk showroom")
    n_f_teams = max(2, round(n_furniture / team_size))
    f_teams = []
    for i in range(n_f_teams):
        if i == n_f_teams - 1:
            name = "Online sales"
        else:
            base = showrooms[i % len(showrooms)]
            name = base if i < len(showrooms) else f"{base} {i // len(showrooms) + 1}"
        f_teams.append(add_dep(name, furniture.id, FURNITURE_LINE))
    n_r_teams = max(1, round(n_real_estate / team_size))
    r_teams = []
    for i in range(n_r_teams):
        name = ("New-build team", "Resale team", "Commercial property team")[i % 3]
        if i >= 3:
            name += f" {i // 3 + 1}"
        r_teams.append(add_dep(name, real_estate.id, REAL_ESTATE_LINE))

    users: list[User] = []
    used_names: set[tuple[str, str]] = set()

    def new_user(position: str, dep: Department, line: str | None, head: bool = False) -> User:
        while True:
            gender = "F" if r.random() < 0.5 else "M"
            first = (FEMALE_FIRST if gender == "F" else MALE_FIRST)[int(r.random() * 40)]
            surname = LAST[int(r.random() * len(LAST))][1 if gender == "F" else 0]
            if (first, surname) not in used_names:
                used_names.add((first, surname))
                break
        start = -int(200 + r.random() * 2000)
        user = User(len(users) + 1, first, surname, gender, position, dep.id, line, start, None,
                    head)
        users.append(user)
        if head:
            dep.head = user.id
        return user

    new_user("Chief executive officer", management, None, head=True)
    root.head = 1
    new_user("Commercial director", management, None)
    furniture.head = real_estate.head = 2

    def staff_teams(teams: list[Department], count: int, line: str, title: str) -> list[User]:
        members: list[User] = []
        for t in teams:
            members.append(new_user(f"Head of {t.name.lower()}", t, line, head=True))
        i = 0
        while len(members) < count:
            members.append(new_user(title, teams[i % len(teams)], line))
            i += 1
        return members

    f_members = staff_teams(f_teams, n_furniture, FURNITURE_LINE, "Sales manager")
    r_members = staff_teams(r_teams, n_real_estate, REAL_ESTATE_LINE, "Real-estate agent")
    c_members = [new_user("Head of call center", call_center, CALL_CENTER_LINE, head=True)]
    while len(c_members) < n_call:
        c_members.append(new_user("Call-center operator", call_center, CALL_CENTER_LINE))
    new_user("Marketing director", marketing, None, head=True)
    while len(users) < n_users:
        new_user("Marketing specialist", marketing, None)

    # Hires and leavers among ordinary sales users; at least one leaver in every portal.
    history = clock.history_days
    ordinary = [u for u in f_members + r_members if not u.is_head]
    for u in ordinary:
        x = r.random()
        if x < 0.12:
            u.end_day = int(60 + r.random() * (history - 120))
        elif x < 0.27:
            u.start_day = int(30 + r.random() * (history - 120))
    if ordinary and not any(u.end_day is not None for u in ordinary):
        ordinary[-1].end_day = int(history * 0.6)
        ordinary[-1].start_day = -400

    staff = Staff(departments, users)
    staff.all_sales = tuple(u.id for u in f_members + r_members)
    n_months = clock.month_index(history + 400) + 1
    first_day_of_month: dict[int, int] = {}
    last_day_of_month: dict[int, int] = {}
    for d in range(-31, history + 400):
        m = clock.month_index(d)
        first_day_of_month.setdefault(m, d)
        last_day_of_month[m] = d
    for line, members in ((FURNITURE_LINE, f_members), (REAL_ESTATE_LINE, r_members),
                          (CALL_CENTER_LINE, c_members)):
        staff.pools[(line, -1)] = tuple(u.id for u in members if u.is_head)
        for m in range(-1, n_months):
            if m < 0:
                continue
            lo, hi = first_day_of_month[m], last_day_of_month[m]
            pool = tuple(u.id for u in members
                         if u.start_day <= lo and (u.end_day is None or u.end_day > hi))
            staff.pools[(line, m)] = pool or staff.pools[(line, -1)]
    return staff


def deactivation_time(user: User) -> int | None:
    """Window seconds of a leaver's deactivation (end of their last day)."""
    return None if user.end_day is None else user.end_day * DAY + 18 * 3600
