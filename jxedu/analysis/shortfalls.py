"""What closes the gaps: shortfalls of the resource indicators and single changes that fix a CV.

Three questions a planner asks, answered from :func:`jxedu.analysis.indicators.resource_indicators`:

* :func:`shortfalls` — for every unit × indicator below its standard, how much reaches it: whole
  teachers by kind, ㎡ of teaching rooms or sports grounds, 元 of equipment, whole multimedia
  rooms; and which of these make up the **minimum plan** that lets a
  failing unit pass (``in_pass_plan``).
* :func:`totals` — those amounts summed per 镇街 and for the county.
* :func:`cv_fixes` — for a stage × indicator whose CV exceeds its limit (or is close to it), which
  single unit raised to the standard (or to the county mean) brings the CV back under.

Amounts
-------
For a unit with P students, value X = per·H/P (H = teachers, ㎡, 元 or rooms; per = 100 for the
“每百名学生” indicators, 1 for “生均”) and threshold T, the unit needs ``T·P/per`` and has H: the
amount is ``ceil(T·P/per − H)`` (whole teachers, rooms, ㎡ and 元; the difference is rounded to
6 decimals before ``ceil`` so float noise never adds one). For the four shared facility items of a
一贯制 school or 完全中学 the unit only gets its weighted share s of what the school builds, so the
**school** must add ``ceil(T·P/(per·s) − H_school)`` (``school_amount``). County and 镇街 totals
add teachers per 部 but facility items per school (the largest ``school_amount`` over its 部, which
covers every 部 at once).

Minimum plan to pass
--------------------
A failing unit must (1) bring every value under 85 % of its threshold up to the threshold, and
(2) if fewer than 6 are then met, bring up enough of the remaining misses to reach 6, choosing the
misses **closest to their standard first** (highest ratio value ÷ threshold; ties in the order of the
national form). The closest miss is usually the cheapest in its own unit and the easiest to explain
(“差距最小的指标优先”); different indicators' costs (teachers vs ㎡ vs 元) are not compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis import indicators as ind_mod
from jxedu.analysis.indicators import KEYS, SPECS
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.numeric import ceil_count
from jxedu.core.settings import Settings
from jxedu.core.vocabulary import COUNTY

__all__ = ["TOTAL_COLUMNS", "cv_fixes", "cv_fixes_from", "pass_plan", "shortfalls", "shortfalls_from", "totals"]

#: Columns of :func:`totals`: amount name → (indicator key, unit).
TOTAL_COLUMNS: dict[str, tuple[str, str]] = {
    "qualified_teachers": ("qualified_teachers_per_100", "人"),
    "backbone_teachers": ("backbone_teachers_per_100", "人"),
    "pe_art_teachers": ("pe_art_teachers_per_100", "人"),
    "teaching_area": ("teaching_area_per_student", "㎡"),
    "sports_area": ("sports_area_per_student", "㎡"),
    "equipment_value": ("equipment_value_per_student", "元"),
    "multimedia_rooms": ("multimedia_rooms_per_100", "间"),
}


# --- shortfalls -----------------------------------------------------------------------------------


def shortfalls(
    ds: Dataset,
    *,
    year: int | str | None = None,
    settings: Settings | None = None,
    only_failing: bool = False,
) -> pd.DataFrame:
    """Every unit × indicator below its standard, with the amount that reaches it.

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest, ``"all"`` for every year.
    settings
        Run settings.
    only_failing
        Keep only units that do not pass (default: every miss, also of passing units).

    Returns
    -------
    pandas.DataFrame
        See :func:`shortfalls_from`.
    """
    ind = ind_mod.resource_indicators(ds, year=year, settings=settings)
    return shortfalls_from(ind, only_failing=only_failing)


def shortfalls_from(ind_df: pd.DataFrame, *, only_failing: bool = False) -> pd.DataFrame:
    """Shortfalls from an indicator frame (:func:`jxedu.analysis.indicators.resource_indicators`).

    Parameters
    ----------
    ind_df
        The indicator frame.
    only_failing
        Keep only units that do not pass.

    Returns
    -------
    pandas.DataFrame
        One row per unit × missed indicator: ``year, school_id, name, township, stage, students,
        key, value, threshold, ratio, under_floor`` (below 85 % of the standard), ``have, need, amount,
        unit, shared, facility_share, school_amount, unit_passes, in_pass_plan, plan_order``.
        ``have``/``need``/``amount`` are the unit's (teachers, ㎡, 元, rooms); ``school_amount`` is
        what the school must add (differs from ``amount`` only for split facility items);
        ``in_pass_plan`` marks the minimum set of actions that makes a failing unit pass
        (``plan_order`` 1, 2, … within the unit). Values missing for lack of data have NaN amounts.
    """
    cols = ["year", "school_id", "name", "township", "stage", "students", "key", "value", "threshold", "ratio",
            "under_floor", "have", "need", "amount", "unit", "shared", "facility_share", "school_amount",
            "unit_passes", "in_pass_plan", "plan_order"]
    if ind_df.empty:
        return pd.DataFrame(columns=cols)
    ind_df = ind_df.reset_index(drop=True)
    floor = std.threshold("pass_floor_ratio")
    floor_op = str(std.rule("pass_floor_ratio")["op"])
    unit_passes = ind_df["passes"].to_numpy(dtype=bool)
    keep_unit = ~unit_passes if only_failing else np.ones(len(ind_df), dtype=bool)

    # One block of rows per indicator: the units that miss it (numpy arrays, concatenated once).
    blocks: dict[str, list] = {c: [] for c in ("unit", "ko", "value", "thr", "have", "school_total", "per", "shared")}
    for ko, (key, spec) in enumerate(SPECS.items()):
        idx = np.flatnonzero(~ind_df[f"met_{key}"].to_numpy(dtype=bool) & keep_unit)
        n = len(idx)
        blocks["unit"].append(idx)
        blocks["ko"].append(np.full(n, ko))
        blocks["value"].append(ind_df[key].to_numpy(dtype=float)[idx])
        blocks["thr"].append(ind_df[f"threshold_{key}"].to_numpy(dtype=float)[idx])
        have = ind_df[spec.numerator].to_numpy(dtype=float)[idx]
        blocks["have"].append(have)
        blocks["school_total"].append(ind_df[f"school_{spec.numerator}"].to_numpy(dtype=float)[idx] if spec.shared
                                      else have)  # fmt: skip
        blocks["per"].append(np.full(n, spec.per))
        blocks["shared"].append(np.full(n, spec.shared))
    a = {k: np.concatenate(v) for k, v in blocks.items()}
    if len(a["unit"]) == 0:
        return pd.DataFrame(columns=cols)
    unit = a["unit"]
    students = ind_df["students"].to_numpy(dtype=float)[unit]
    share = ind_df["facility_share"].to_numpy(dtype=float)[unit]
    thr, value, shared = a["thr"], a["value"], a["shared"]
    need = thr * students / a["per"]
    amount = ceil_count(need - a["have"])
    with np.errstate(invalid="ignore", divide="ignore"):
        school_amount = np.where(shared, ceil_count(need / share - a["school_total"]), amount)
        ratio = value / thr
    below = ~ind_mod.meets_threshold(value, floor * thr, floor_op)

    # Minimum plan: mandatory misses (under the floor), then the closest misses until 6 are met.
    # Sort by unit, mandatory first, then ratio descending, then the form's order; rank within unit.
    pass_min = int(std.threshold("pass_min_indicators"))
    r_sort = np.where(np.isnan(ratio), -np.inf, ratio)
    order = np.lexsort((a["ko"], -r_sort, ~below, unit))
    u_s, below_s = unit[order], below[order]
    starts = np.r_[0, np.flatnonzero(np.diff(u_s)) + 1]
    lengths = np.diff(np.r_[starts, len(u_s)])
    first = np.repeat(starts, lengths)
    rank = np.arange(len(u_s)) - first
    n_mand = np.repeat(np.add.reduceat(below_s.astype(int), starts), lengths)
    extra = np.maximum(pass_min - ind_df["indicators_met"].to_numpy()[u_s] - n_mand, 0)
    plan_s = ~unit_passes[u_s] & (below_s | (rank - n_mand < extra))
    plan_order_s = np.where(plan_s, rank + 1, 0)  # mandatory and chosen misses come first in a unit
    in_plan = np.empty_like(plan_s)
    in_plan[order] = plan_s
    plan_order = np.empty_like(plan_order_s)
    plan_order[order] = plan_order_s

    base = ind_df[["year", "school_id", "name", "township", "stage"]]
    keys = np.array(KEYS, dtype=object)[a["ko"]]
    stage = base["stage"].to_numpy(dtype=object)[unit]
    out = pd.DataFrame({
        "year": base["year"].to_numpy()[unit], "school_id": base["school_id"].to_numpy()[unit],
        "name": base["name"].to_numpy()[unit], "township": base["township"].to_numpy()[unit], "stage": stage,
        "students": students, "key": keys,
        "value": value, "threshold": thr, "ratio": ratio, "under_floor": below, "have": a["have"], "need": need,
        "amount": amount, "unit": np.array([s.unit for s in SPECS.values()], dtype=object)[a["ko"]],
        "shared": shared, "facility_share": share, "school_amount": school_amount,
        "unit_passes": unit_passes[unit], "in_pass_plan": in_plan, "plan_order": plan_order,
    })  # fmt: skip
    # Output order: year, 镇街, then the unit order of ind_df (school, stage), then the form's order.
    tcode = pd.factorize(out["township"].astype(object), sort=True)[0]
    final = np.lexsort((a["ko"], unit, tcode, out["year"].to_numpy()))
    return out.iloc[final][cols].reset_index(drop=True)


def totals(sf: pd.DataFrame, *, scope: str = "pass", with_county: bool = True) -> pd.DataFrame:
    """What closes the gaps, summed per 镇街 (and the county).

    Parameters
    ----------
    sf
        Output of :func:`shortfalls`.
    scope
        ``"pass"``: only the minimum plans that make failing units pass; ``"all"``: every miss, so
        that every unit meets all seven.
    with_county
        Append a row ``township = "全县"``.

    Returns
    -------
    pandas.DataFrame
        ``year, township, units_to_fix`` and the amounts of :data:`TOTAL_COLUMNS`: teachers (人)
        per kind, ``teaching_area`` and ``sports_area`` (㎡), ``equipment_value`` (元),
        ``multimedia_rooms`` (间). Facility items are counted per school (largest
        ``school_amount`` over its 部), teachers per unit.
    """
    if scope not in ("pass", "all"):
        raise ValueError("scope must be 'pass' or 'all'")
    d = sf.loc[sf["in_pass_plan"].astype(bool)] if scope == "pass" else sf
    d = d.loc[d["amount"].notna()]
    teachers = d.loc[~d["shared"].astype(bool)]
    t = teachers.groupby(["year", "township", "key"])["amount"].sum()
    fac = d.loc[d["shared"].astype(bool)].groupby(["year", "township", "school_id", "key"])["school_amount"].max()
    f = fac.groupby(level=["year", "township", "key"]).sum()
    amounts = pd.concat([t, f]).unstack("key")
    units_n = d.groupby(["year", "township"])[["school_id", "stage"]].apply(lambda g: len(g.drop_duplicates()))
    out = pd.DataFrame(index=units_n.index if len(units_n) else pd.MultiIndex.from_tuples([], names=["year", "township"]))
    out["units_to_fix"] = units_n
    for col, (key, _unit) in TOTAL_COLUMNS.items():
        out[col] = amounts[key] if key in amounts.columns else 0.0
    out = out.fillna(0.0).reset_index()
    if with_county and len(out):
        c = out.drop(columns="township").groupby("year", as_index=False).sum()
        c["township"] = COUNTY
        out = pd.concat([out, c[out.columns]], ignore_index=True)
    out["township"] = out["township"].astype(object)
    order = {n: i for i, n in enumerate(sorted(out["township"].unique(), key=ind_mod.township_sort_key))}
    out = out.sort_values(["year", "township"], key=lambda s: s.map(order) if s.name == "township" else s)
    num = ["units_to_fix", *TOTAL_COLUMNS]
    out[num] = out[num].astype("int64")
    return out.reset_index(drop=True)


def pass_plan(sf: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`shortfalls` that make up the minimum plans of the failing units."""
    return sf.loc[sf["in_pass_plan"].astype(bool)].sort_values(
        ["year", "township", "school_id", "stage", "plan_order"], kind="stable"
    ).reset_index(drop=True)


# --- CV fixes -------------------------------------------------------------------------------------


def cv_fixes(
    ds: Dataset,
    *,
    year: int | str | None = None,
    settings: Settings | None = None,
    watch_margin: float = 0.10,
    only_sufficient: bool = True,
) -> pd.DataFrame:
    """Single changes that bring a stage × indicator CV under its limit.

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` for the latest, ``"all"`` for every year.
    settings
        Run settings.
    watch_margin
        Also look at CVs within this fraction of their limit (0.10: CV ≥ 90 % of the limit). For
        those the goal is to get back to ``(1 − watch_margin) × limit``.
    only_sufficient
        Keep only the changes that reach the goal — plus, for a stage × indicator where none does,
        the single best change (``sufficient = False``), so the planner sees that one change is not
        enough.

    Returns
    -------
    pandas.DataFrame
        See :func:`cv_fixes_from`.
    """
    ind = ind_mod.resource_indicators(ds, year=year, settings=settings)
    bal = ind_mod.county_balance(ind, settings=settings)
    return cv_fixes_from(ind, bal, watch_margin=watch_margin, only_sufficient=only_sufficient)


def cv_fixes_from(
    ind_df: pd.DataFrame,
    balance_df: pd.DataFrame,
    *,
    watch_margin: float = 0.10,
    only_sufficient: bool = True,
) -> pd.DataFrame:
    """CV fixes from the indicator and balance frames.

    Method: for each flagged stage × indicator (CV over its limit → goal = limit; CV within
    ``watch_margin`` of it → goal = (1 − margin) × limit), every unit whose value is below a
    target — the **standard** (``target = "threshold"``) or the current **county mean**
    (``"county_mean"``) — is raised to it alone, by the whole amount of :func:`shortfalls`
    (teachers and rooms rounded up, ㎡ and 元 to the unit), all other units unchanged; the new
    student-weighted CV is computed exactly (update of the weighted sums) and compared with the goal.

    Returns
    -------
    pandas.DataFrame
        ``year, stage, key, cv, cv_limit, status`` (``"over"``/``"near"``), ``goal_cv,
        school_id, name, township, students, target, value, target_value, amount`` (what the unit
        gets), ``school_amount`` (what the school adds: ``ceil(amount / share)`` for a shared facility
        item of a split school, else ``amount``), ``unit, new_value, new_cv, sufficient``;
        cheapest sufficient changes first within a stage × key.
    """
    cols = ["year", "stage", "key", "cv", "cv_limit", "status", "goal_cv", "school_id", "name", "township",
            "students", "target", "value", "target_value", "amount", "school_amount", "unit", "new_value", "new_cv",
            "sufficient"]
    b = balance_df.loc[balance_df["cv"].notna()].copy()
    over = b["cv"] > b["cv_limit"]
    near = ~over & (b["cv"] >= (1 - watch_margin) * b["cv_limit"])
    b = b.loc[over | near].copy()
    if b.empty:
        return pd.DataFrame(columns=cols)
    b["status"] = np.where(b["cv"] > b["cv_limit"], "over", "near")
    b["goal_cv"] = np.where(b["status"] == "over", b["cv_limit"], (1 - watch_margin) * b["cv_limit"])

    long = ind_mod.indicators_long(ind_df)
    long = long.loc[long["value"].notna()]
    keys = ["year", "stage", "key"]
    grp = long.merge(b[[*keys, "cv", "cv_limit", "status", "goal_cv", "county_mean", "students"]]
                     .rename(columns={"students": "stage_students"}), on=keys)  # fmt: skip
    # Weighted sums centred on the current mean c: S2 = ΣP(X − c)² (ΣP(X − c) = 0).
    grp["_dev2"] = grp["students"] * (grp["value"] - grp["county_mean"]) ** 2
    s2 = grp.groupby(keys)["_dev2"].sum().rename("_s2")
    grp = grp.join(s2, on=keys)

    frames = []
    for target in ("threshold", "county_mean"):
        c = grp.loc[grp["value"] < grp[target]].copy()
        if c.empty:
            continue
        c["target"] = target
        c["target_value"] = c[target]
        per = c["key"].map({k: s.per for k, s in SPECS.items()}).to_numpy(dtype=float)
        p = c["students"].to_numpy(dtype=float)
        x = c["value"].to_numpy(dtype=float)
        amount = ceil_count((c["target_value"].to_numpy(dtype=float) - x) * p / per)
        new_x = x + amount * per / p
        m = c["county_mean"].to_numpy(dtype=float)
        tot = c["stage_students"].to_numpy(dtype=float)
        s1n = p * (new_x - x)  # ΣP(X − c) after the change (it was 0 before)
        s2n = c["_s2"].to_numpy(dtype=float) + p * ((new_x - m) ** 2 - (x - m) ** 2)
        mean_n = m + s1n / tot
        var_n = np.maximum(s2n / tot - (s1n / tot) ** 2, 0.0)
        c["amount"] = amount
        # A shared facility item of a split school reaches the unit only by its weighted share s:
        # the school adds amount / s (rounded up) so that its 部 gets ``amount``.
        share = c["facility_share"].to_numpy(dtype=float)
        split = c["key"].map({k: s.shared for k, s in SPECS.items()}).to_numpy(dtype=bool) & (share < 1 - 1e-12)
        with np.errstate(invalid="ignore", divide="ignore"):
            c["school_amount"] = np.where(split, ceil_count(amount / share), amount)
        c["new_value"] = new_x
        c["new_cv"] = np.sqrt(var_n) / mean_n
        frames.append(c)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["sufficient"] = out["new_cv"] <= out["goal_cv"]
    out["unit"] = out["key"].map({k: s.unit for k, s in SPECS.items()})
    out["_so"] = out["stage"].map(ind_mod.STAGE_ORDER)
    out["_ko"] = out["key"].map(ind_mod.KEY_ORDER)
    if only_sufficient:
        ok = out.loc[out["sufficient"]]
        done = ok[keys].drop_duplicates().assign(_done=True)
        rest = out.loc[~out["sufficient"]].merge(done, on=keys, how="left")
        rest = rest.loc[rest["_done"].isna()].sort_values("new_cv", kind="stable").groupby(keys, sort=False).head(1)
        out = pd.concat([ok, rest.drop(columns="_done")], ignore_index=True)
    out = out.sort_values(["year", "_so", "_ko", "sufficient", "amount", "new_cv"],
                          ascending=[True, True, True, False, True, True], kind="stable")  # fmt: skip
    return out[cols].reset_index(drop=True)

