"""The evaluation suites, one entry each. A suite is a scoring module (evals/suites/<module>.py,
exposing METRICS, validate(ctx, suite) and run(ctx, suite) -> SuiteResult) applied to a dataset.
A holdout is one more entry with its own dataset; its gates are its table in thresholds.toml, and a
blind set (`blind=True`) without one takes its module's `[blind_defaults.<module>]` table.

To add a suite: write its module (or reuse one), add one `Suite(...)` line below, and (optionally)
a `[name]` table of gates in evals/thresholds.toml. See docs/evals.md."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InputError
from evals.datasets import DATASETS_DIR, POLICIES_DIR


@dataclass(frozen=True)
class Suite:
    name: str
    module: str  # scoring module evals.suites.<module>
    title: str
    dataset: str | None = None  # file name in evals/datasets/
    column: str = ""  # its column in the family table ("dev", "holdout", "A", ...)
    family: str = ""  # suites of one family are shown side by side (default: the module name)
    default: bool = True  # part of `all`
    optional: bool = False  # skipped, with a note, while its dataset file is absent
    blind: bool = False  # the report shows aggregates, ids and failure classes, never texts
    needs_index: bool = True  # the configured knowledge base must be built (`privacybot ingest`)
    kb: str | None = None  # a fixed knowledge base (else the one evaluated)
    policy: str | None = None  # file in evals/policies/ ingested into `kb` before the run

    @property
    def scoring(self):
        """The scoring module: METRICS, validate(ctx, suite), run(ctx, suite) -> SuiteResult."""
        return importlib.import_module(f"evals.suites.{self.module}")

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", self.family or self.module)

    def path(self, ctx) -> Path | None:
        """The dataset file (a test or a caller may override it in ctx.dataset_overrides)."""
        return ctx.dataset(self.name, DATASETS_DIR / self.dataset) if self.dataset else None

    def files(self, ctx) -> list[Path]:
        """Every input file, for the report's sha256 table."""
        return [p for p in (POLICIES_DIR / self.policy if self.policy else None, self.path(ctx)) if p]

    def absent(self, ctx) -> bool:
        return self.optional and self.path(ctx) is not None and not self.path(ctx).exists()


H = "holdout, not tuned on"
SUITES: dict[str, Suite] = {s.name: s for s in (
    Suite("retrieval", "retrieval", "Retrieval (OMNES policy)", "dev_questions.jsonl", "dev"),
    Suite("retrieval_naive", "naive_rag", "Retrieval — naive RAG baseline, same questions (1000/200 splitter + "
          "MiniLM + Chroma)", "dev_questions.jsonl", "naive baseline", family="retrieval"),
    Suite("answers", "answers", "Answers — dev set (training data, not evidence)", "dev_answers.jsonl", "dev"),
    Suite("guard", "guard", "Guard (personal data and special categories)", "guard_set.jsonl", "dev", needs_index=False),
    Suite("latency", "latency", "Latency (benchmark in a fresh process)", "dev_answers.jsonl"),
    Suite("generic", "retrieval", "Generic policy (second, fictional organisation)", "generic_questions.jsonl",
          "Lumen", needs_index=False, kb="lumen", policy="lumen_library.md"),
    Suite("answers_holdout", "answers", f"Answers — holdout set ({H})", "holdout_answers.jsonl", "holdout"),
    Suite("answers_blind_a", "answers", f"Answers — blind set A ({H})", "answers_blind_a.jsonl", "A", blind=True),
    Suite("answers_blind_b", "answers", f"Answers — blind set B ({H})", "answers_blind_b.jsonl", "B", blind=True,
          optional=True),
    Suite("dialogues_blind_1", "dialogues", f"Dialogues — blind set 1 ({H})", "dialogues_blind_1.jsonl", "1", blind=True),
    Suite("dialogues_blind_2", "dialogues", f"Dialogues — blind set 2 ({H})", "dialogues_blind_2.jsonl", "2", blind=True,
          optional=True),
    Suite("answers_blind_c", "answers", f"Answers — blind set C ({H})", "answers_blind_c.jsonl", "C", blind=True),
    Suite("dialogues_blind_3", "dialogues", f"Dialogues — blind set 3 ({H})", "dialogues_blind_3.jsonl", "3",
          blind=True),
    Suite("guard_blind", "guard", f"Guard — blind set ({H})", "guard_blind.jsonl", "blind", needs_index=False),
    Suite("load", "load", "Load (a real server, concurrent visitors)", "dev_questions.jsonl", default=False),
    Suite("policyqa", "policyqa", "PolicyQA test split (third-party policies, answer spans; never trained on)",
          needs_index=False, default=False),
    Suite("guard_blind_c", "guard", "Guard — blind set C (guided the guard's round 2: dev numbers)",
          "guard_blind_c.jsonl", "C", needs_index=False),
    Suite("guard_blind_d", "guard", f"Guard — blind set D ({H})", "guard_blind_d.jsonl", "D",
          needs_index=False, optional=True),
    Suite("guard_blind_e", "guard", f"Guard — blind set E ({H})", "guard_blind_e.jsonl", "E", needs_index=False),
    Suite("answers_blind_d", "answers", f"Answers — blind set D ({H})", "answers_blind_d.jsonl", "D", blind=True),
    Suite("dialogues_blind_4", "dialogues", f"Dialogues — blind set 4 ({H})", "dialogues_blind_4.jsonl", "4",
          blind=True),
    Suite("guard_blind_f", "guard", f"Guard — blind set F ({H})", "guard_blind_f.jsonl", "F", needs_index=False),
    Suite("answers_blind_e", "answers", f"Answers — blind set E ({H})", "answers_blind_e.jsonl", "E", blind=True),
    Suite("dialogues_blind_5", "dialogues", f"Dialogues — blind set 5 ({H})", "dialogues_blind_5.jsonl", "5",
          blind=True),
    Suite("guard_blind_g", "guard", f"Guard — blind set G ({H})", "guard_blind_g.jsonl", "G", needs_index=False),
    Suite("answers_blind_f", "answers", f"Answers — blind set F ({H})", "answers_blind_f.jsonl", "F", blind=True),
    Suite("dialogues_blind_6", "dialogues", f"Dialogues — blind set 6 ({H})", "dialogues_blind_6.jsonl", "6",
          blind=True),
    Suite("guard_blind_h", "guard", f"Guard — blind set H ({H})", "guard_blind_h.jsonl", "H", needs_index=False),
    Suite("answers_blind_g", "answers", f"Answers — blind set G ({H})", "answers_blind_g.jsonl", "G", blind=True),
    Suite("dialogues_blind_7", "dialogues", f"Dialogues — blind set 7 ({H})", "dialogues_blind_7.jsonl", "7",
          blind=True),
    Suite("guard_blind_i", "guard", f"Guard — blind set I ({H})", "guard_blind_i.jsonl", "I", needs_index=False),
    Suite("answers_blind_h", "answers", f"Answers — blind set H ({H})", "answers_blind_h.jsonl", "H", blind=True),
    Suite("dialogues_blind_8", "dialogues", f"Dialogues — blind set 8 ({H})", "dialogues_blind_8.jsonl", "8",
          blind=True),
    Suite("dialogues_blind_9", "dialogues", f"Dialogues — blind set 9 ({H})", "dialogues_blind_9.jsonl", "9",
          blind=True),
    Suite("dialogues_blind_10", "dialogues", f"Dialogues — blind set 10 ({H})", "dialogues_blind_10.jsonl", "10",
          blind=True),
    Suite("guard_blind_j", "guard", f"Guard — blind set J ({H})", "guard_blind_j.jsonl", "J", needs_index=False),
    Suite("answers_blind_i", "answers", f"Answers — blind set I ({H})", "answers_blind_i.jsonl", "I", blind=True),
    Suite("answers_blind_j", "answers", f"Answers — blind set J ({H})", "answers_blind_j.jsonl", "J", blind=True),
    Suite("dialogues_blind_11", "dialogues", f"Dialogues — blind set 11 ({H})", "dialogues_blind_11.jsonl", "11",
          blind=True),
    Suite("dialogues_blind_12", "dialogues", f"Dialogues — blind set 12 ({H})", "dialogues_blind_12.jsonl", "12",
          blind=True),
    Suite("answers_blind_k", "answers", f"Answers — blind set K ({H})", "answers_blind_k.jsonl", "K", blind=True),
    Suite("dialogues_blind_13", "dialogues", f"Dialogues — blind set 13 ({H})", "dialogues_blind_13.jsonl", "13",
          blind=True),
    Suite("answers_blind_l", "answers", f"Answers — blind set L ({H})", "answers_blind_l.jsonl", "L", blind=True),
    Suite("answers_blind_m", "answers", f"Answers — blind set M ({H})", "answers_blind_m.jsonl", "M", blind=True),
    Suite("answers_blind_n", "answers", f"Answers — blind set N ({H})", "answers_blind_n.jsonl", "N", blind=True),
    Suite("dialogues_blind_14", "dialogues", f"Dialogues — blind set 14 ({H})", "dialogues_blind_14.jsonl", "14",
          blind=True),
    Suite("dialogues_blind_15", "dialogues", f"Dialogues — blind set 15 ({H})", "dialogues_blind_15.jsonl", "15",
          blind=True),
    Suite("dialogues_blind_16", "dialogues", f"Dialogues — blind set 16 ({H})", "dialogues_blind_16.jsonl", "16",
          blind=True),
    Suite("dialogues_blind_17", "dialogues", f"Dialogues — blind set 17 ({H})", "dialogues_blind_17.jsonl", "17",
          blind=True),
    Suite("answers_blind_o", "answers", f"Answers — blind set O ({H})", "answers_blind_o.jsonl", "O", blind=True),
    Suite("dialogues_blind_18", "dialogues", f"Dialogues — blind set 18 ({H})", "dialogues_blind_18.jsonl", "18",
          blind=True),
    Suite("answers_blind_p", "answers", f"Answers — blind set P ({H})", "answers_blind_p.jsonl", "P", blind=True),
    Suite("dialogues_blind_19", "dialogues", f"Dialogues — blind set 19 ({H})", "dialogues_blind_19.jsonl", "19",
          blind=True),
    Suite("answers_blind_q", "answers", f"Answers — blind set Q ({H})", "answers_blind_q.jsonl", "Q", blind=True),
    Suite("dialogues_blind_20", "dialogues", f"Dialogues — blind set 20 ({H})", "dialogues_blind_20.jsonl", "20",
          blind=True),
    Suite("answers_blind_r", "answers", f"Answers — blind set R ({H})", "answers_blind_r.jsonl", "R", blind=True),
    Suite("dialogues_blind_21", "dialogues", f"Dialogues — blind set 21 ({H})", "dialogues_blind_21.jsonl", "21",
          blind=True),
    Suite("answers_blind_s", "answers", f"Answers — blind set S ({H})", "answers_blind_s.jsonl", "S", blind=True),
    Suite("dialogues_blind_22", "dialogues", f"Dialogues — blind set 22 ({H})", "dialogues_blind_22.jsonl", "22",
          blind=True),
    Suite("answers_blind_t", "answers", f"Answers — blind set T ({H})", "answers_blind_t.jsonl", "T", blind=True),
    Suite("dialogues_blind_23", "dialogues", f"Dialogues — blind set 23 ({H})", "dialogues_blind_23.jsonl", "23",
          blind=True),
    Suite("answers_blind_u", "answers", f"Answers — blind set U ({H})", "answers_blind_u.jsonl", "U", blind=True),
    Suite("answers_blind_v", "answers", f"Answers — blind set V ({H})", "answers_blind_v.jsonl", "V", blind=True),
    Suite("answers_blind_w", "answers", f"Answers — blind set W ({H})", "answers_blind_w.jsonl", "W", blind=True),
    Suite("dialogues_blind_24", "dialogues", f"Dialogues — blind set 24 ({H})", "dialogues_blind_24.jsonl", "24",
          blind=True),
    Suite("answers_blind_x", "answers", f"Answers — blind set X ({H})", "answers_blind_x.jsonl", "X", blind=True),
    Suite("dialogues_blind_25", "dialogues", f"Dialogues — blind set 25 ({H})", "dialogues_blind_25.jsonl", "25",
          blind=True),
    Suite("answers_blind_y", "answers", f"Answers — blind set Y ({H})", "answers_blind_y.jsonl", "Y", blind=True),
    Suite("dialogues_blind_26", "dialogues", f"Dialogues — blind set 26 ({H})", "dialogues_blind_26.jsonl", "26",
          blind=True),
    Suite("answers_blind_z", "answers", f"Answers — blind set Z ({H})", "answers_blind_z.jsonl", "Z", blind=True),
    Suite("dialogues_blind_27", "dialogues", f"Dialogues — blind set 27 ({H})", "dialogues_blind_27.jsonl", "27",
          blind=True),
    Suite("answers_blind_aa", "answers", f"Answers — blind set AA ({H})", "answers_blind_aa.jsonl", "AA", blind=True),
    Suite("dialogues_blind_28", "dialogues", f"Dialogues — blind set 28 ({H})", "dialogues_blind_28.jsonl", "28",
          blind=True),
    Suite("answers_blind_ab", "answers", f"Answers — blind set AB ({H})", "answers_blind_ab.jsonl", "AB", blind=True),
    Suite("dialogues_blind_29", "dialogues", f"Dialogues — blind set 29 ({H})", "dialogues_blind_29.jsonl", "29",
          blind=True),
    Suite("answers_blind_ac", "answers", f"Answers — blind set AC ({H})", "answers_blind_ac.jsonl", "AC", blind=True),
    Suite("dialogues_blind_30", "dialogues", f"Dialogues — blind set 30 ({H})", "dialogues_blind_30.jsonl", "30",
          blind=True),
    Suite("answers_blind_ad", "answers", f"Answers — blind set AD ({H})", "answers_blind_ad.jsonl", "AD", blind=True),
    Suite("dialogues_blind_31", "dialogues", f"Dialogues — blind set 31 ({H})", "dialogues_blind_31.jsonl", "31",
          blind=True),
    Suite("answers_blind_ae", "answers", f"Answers — blind set AE ({H})", "answers_blind_ae.jsonl", "AE", blind=True),
    Suite("dialogues_blind_32", "dialogues", f"Dialogues — blind set 32 ({H})", "dialogues_blind_32.jsonl", "32",
          blind=True),
    Suite("answers_blind_af", "answers", f"Answers — blind set AF ({H})", "answers_blind_af.jsonl", "AF", blind=True),
    Suite("dialogues_blind_33", "dialogues", f"Dialogues — blind set 33 ({H})", "dialogues_blind_33.jsonl", "33",
          blind=True),
    Suite("answers_blind_ag", "answers", f"Answers — blind set AG ({H})", "answers_blind_ag.jsonl", "AG", blind=True),
    Suite("dialogues_blind_34", "dialogues", f"Dialogues — blind set 34 ({H})", "dialogues_blind_34.jsonl", "34",
          blind=True),
    Suite("answers_blind_ah", "answers", f"Answers — blind set AH ({H})", "answers_blind_ah.jsonl", "AH", blind=True),
    Suite("dialogues_blind_35", "dialogues", f"Dialogues — blind set 35 ({H})", "dialogues_blind_35.jsonl", "35",
          blind=True),
    Suite("answers_blind_ai", "answers", f"Answers — blind set AI ({H})", "answers_blind_ai.jsonl", "AI", blind=True),
    Suite("dialogues_blind_36", "dialogues", f"Dialogues — blind set 36 ({H})", "dialogues_blind_36.jsonl", "36",
          blind=True),
    Suite("answers_blind_aj", "answers", f"Answers — blind set AJ ({H})", "answers_blind_aj.jsonl", "AJ", blind=True),
    Suite("dialogues_blind_37", "dialogues", f"Dialogues — blind set 37 ({H})", "dialogues_blind_37.jsonl", "37",
          blind=True),
    Suite("answers_blind_ak", "answers", f"Answers — blind set AK ({H})", "answers_blind_ak.jsonl", "AK", blind=True),
    Suite("dialogues_blind_38", "dialogues", f"Dialogues — blind set 38 ({H})", "dialogues_blind_38.jsonl", "38",
          blind=True),
    Suite("answers_blind_al", "answers", f"Answers — blind set AL ({H})", "answers_blind_al.jsonl", "AL", blind=True),
    Suite("dialogues_blind_39", "dialogues", f"Dialogues — blind set 39 ({H})", "dialogues_blind_39.jsonl", "39",
          blind=True),
    Suite("answers_blind_am", "answers", f"Answers — blind set AM ({H})", "answers_blind_am.jsonl", "AM", blind=True),
    Suite("dialogues_blind_40", "dialogues", f"Dialogues — blind set 40 ({H})", "dialogues_blind_40.jsonl", "40",
          blind=True),
    Suite("answers_blind_an", "answers", f"Answers — blind set AN ({H})", "answers_blind_an.jsonl", "AN", blind=True),
    Suite("dialogues_blind_41", "dialogues", f"Dialogues — blind set 41 ({H})", "dialogues_blind_41.jsonl", "41",
          blind=True),
    Suite("answers_blind_ao", "answers", f"Answers — blind set AO ({H})", "answers_blind_ao.jsonl", "AO", blind=True),
    Suite("dialogues_blind_42", "dialogues", f"Dialogues — blind set 42 ({H})", "dialogues_blind_42.jsonl", "42",
          blind=True),
    Suite("answers_blind_ap", "answers", f"Answers — blind set AP ({H})", "answers_blind_ap.jsonl", "AP", blind=True),
    Suite("dialogues_blind_43", "dialogues", f"Dialogues — blind set 43 ({H})", "dialogues_blind_43.jsonl", "43",
          blind=True),
    Suite("answers_blind_aq", "answers", f"Answers — blind set AQ ({H})", "answers_blind_aq.jsonl", "AQ", blind=True),
    Suite("dialogues_blind_44", "dialogues", f"Dialogues — blind set 44 ({H})", "dialogues_blind_44.jsonl", "44",
          blind=True),
    Suite("answers_blind_ar", "answers", f"Answers — blind set AR ({H})", "answers_blind_ar.jsonl", "AR", blind=True),
    Suite("dialogues_blind_45", "dialogues", f"Dialogues — blind set 45 ({H})", "dialogues_blind_45.jsonl", "45",
          blind=True),
    Suite("answers_blind_as", "answers", f"Answers — blind set AS ({H})", "answers_blind_as.jsonl", "AS", blind=True),
    Suite("dialogues_blind_46", "dialogues", f"Dialogues — blind set 46 ({H})", "dialogues_blind_46.jsonl", "46",
          blind=True),
    Suite("answers_blind_at", "answers", f"Answers — blind set AT ({H})", "answers_blind_at.jsonl", "AT", blind=True),
    Suite("dialogues_blind_47", "dialogues", f"Dialogues — blind set 47 ({H})", "dialogues_blind_47.jsonl", "47",
          blind=True),
    Suite("answers_blind_au", "answers", f"Answers — blind set AU ({H})", "answers_blind_au.jsonl", "AU", blind=True),
    Suite("dialogues_blind_48", "dialogues", f"Dialogues — blind set 48 ({H})", "dialogues_blind_48.jsonl", "48",
          blind=True),
    Suite("answers_blind_av", "answers", f"Answers — blind set AV ({H})", "answers_blind_av.jsonl", "AV", blind=True),
    Suite("dialogues_blind_49", "dialogues", f"Dialogues — blind set 49 ({H})", "dialogues_blind_49.jsonl", "49",
          blind=True),
    Suite("answers_blind_aw", "answers", f"Answers — blind set AW ({H})", "answers_blind_aw.jsonl", "AW", blind=True),
    Suite("dialogues_blind_50", "dialogues", f"Dialogues — blind set 50 ({H})", "dialogues_blind_50.jsonl", "50",
          blind=True),
    Suite("answers_blind_ax", "answers", f"Answers — blind set AX ({H})", "answers_blind_ax.jsonl", "AX", blind=True),
    Suite("dialogues_blind_51", "dialogues", f"Dialogues — blind set 51 ({H})", "dialogues_blind_51.jsonl", "51",
          blind=True),
    Suite("answers_blind_ay", "answers", f"Answers — blind set AY ({H})", "answers_blind_ay.jsonl", "AY", blind=True),
    Suite("dialogues_blind_52", "dialogues", f"Dialogues — blind set 52 ({H})", "dialogues_blind_52.jsonl", "52",
          blind=True),
    Suite("answers_blind_az", "answers", f"Answers — blind set AZ ({H})", "answers_blind_az.jsonl", "AZ", blind=True),
    Suite("dialogues_blind_53", "dialogues", f"Dialogues — blind set 53 ({H})", "dialogues_blind_53.jsonl", "53",
          blind=True),
    Suite("answers_blind_ba", "answers", f"Answers — blind set BA ({H})", "answers_blind_ba.jsonl", "BA", blind=True),
    Suite("dialogues_blind_54", "dialogues", f"Dialogues — blind set 54 ({H})", "dialogues_blind_54.jsonl", "54",
          blind=True),
    Suite("answers_blind_bb", "answers", f"Answers — blind set BB ({H})", "answers_blind_bb.jsonl", "BB", blind=True),
    Suite("dialogues_blind_55", "dialogues", f"Dialogues — blind set 55 ({H})", "dialogues_blind_55.jsonl", "55",
          blind=True),
    Suite("answers_blind_bc", "answers", f"Answers — blind set BC ({H})", "answers_blind_bc.jsonl", "BC", blind=True),
    Suite("dialogues_blind_56", "dialogues", f"Dialogues — blind set 56 ({H})", "dialogues_blind_56.jsonl", "56",
          blind=True),
    Suite("answers_blind_bd", "answers", f"Answers — blind set BD ({H})", "answers_blind_bd.jsonl", "BD", blind=True),
    Suite("dialogues_blind_57", "dialogues", f"Dialogues — blind set 57 ({H})", "dialogues_blind_57.jsonl", "57",
          blind=True),
    Suite("answers_blind_be", "answers", f"Answers — blind set BE ({H})", "answers_blind_be.jsonl", "BE", blind=True),
    Suite("dialogues_blind_58", "dialogues", f"Dialogues — blind set 58 ({H})", "dialogues_blind_58.jsonl", "58",
          blind=True),
    Suite("guard_blind_k", "guard", f"Guard — blind set K ({H})", "guard_blind_k.jsonl", "K", needs_index=False),
    Suite("guard_blind_l", "guard", f"Guard — blind set L ({H})", "guard_blind_l.jsonl", "L", needs_index=False),
    Suite("guard_blind_m", "guard", f"Guard — blind set M ({H})", "guard_blind_m.jsonl", "M", needs_index=False),
    Suite("guard_blind_n", "guard", f"Guard — blind set N ({H})", "guard_blind_n.jsonl", "N", needs_index=False),
    Suite("guard_blind_o", "guard", f"Guard — blind set O ({H})", "guard_blind_o.jsonl", "O", needs_index=False),
    Suite("guard_blind_p", "guard", f"Guard — blind set P ({H})", "guard_blind_p.jsonl", "P", needs_index=False),
    Suite("guard_blind_q", "guard", f"Guard — blind set Q ({H})", "guard_blind_q.jsonl", "Q", needs_index=False),
    Suite("guard_blind_r", "guard", f"Guard — blind set R ({H})", "guard_blind_r.jsonl", "R", needs_index=False),
    Suite("guard_blind_s", "guard", f"Guard — blind set S ({H})", "guard_blind_s.jsonl", "S", needs_index=False),
    Suite("guard_blind_t", "guard", f"Guard — blind set T ({H})", "guard_blind_t.jsonl", "T", needs_index=False),
    Suite("guard_blind_u", "guard", f"Guard — blind set U ({H})", "guard_blind_u.jsonl", "U", needs_index=False),
    Suite("guard_blind_v", "guard", f"Guard — blind set V ({H})", "guard_blind_v.jsonl", "V", needs_index=False),
    Suite("guard_blind_w", "guard", f"Guard — blind set W ({H})", "guard_blind_w.jsonl", "W", needs_index=False),
    Suite("guard_blind_x", "guard", f"Guard — blind set X ({H})", "guard_blind_x.jsonl", "X", needs_index=False),
    Suite("guard_blind_y", "guard", f"Guard — blind set Y ({H})", "guard_blind_y.jsonl", "Y", needs_index=False),
    Suite("guard_blind_z", "guard", f"Guard — blind set Z ({H})", "guard_blind_z.jsonl", "Z", needs_index=False),
    Suite("guard_blind_aa", "guard", f"Guard — blind set AA ({H})", "guard_blind_aa.jsonl", "AA", needs_index=False),
    Suite("guard_blind_ab", "guard", f"Guard — blind set AB ({H})", "guard_blind_ab.jsonl", "AB", needs_index=False),
    Suite("guard_blind_ac", "guard", f"Guard — blind set AC ({H})", "guard_blind_ac.jsonl", "AC", needs_index=False),
    Suite("guard_blind_ad", "guard", f"Guard — blind set AD ({H})", "guard_blind_ad.jsonl", "AD", needs_index=False),
    Suite("guard_blind_ae", "guard", f"Guard — blind set AE ({H})", "guard_blind_ae.jsonl", "AE", needs_index=False),
    Suite("guard_blind_af", "guard", f"Guard — blind set AF ({H})", "guard_blind_af.jsonl", "AF", needs_index=False),
)}


def aliases() -> dict[str, list[str]]:
    """`all` (the default suites) and each family name that is not itself a suite name."""
    out = {"all": [s.name for s in SUITES.values() if s.default]}
    for s in SUITES.values():
        if s.family not in SUITES:
            out.setdefault(s.family, []).append(s.name)
    return out


def resolve(names: list[str] | tuple[str, ...] | str) -> list[Suite]:
    """Suite entries for names, aliases or comma-separated lists, in the order asked, once each."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    groups, out = aliases(), []
    for n in (n for name in names or ["all"] for n in groups.get(name, [name])):
        if n not in SUITES:
            raise InputError(f"Unknown suite '{n}'. Use one of: {', '.join([*SUITES, *groups])}.")
        out += [] if SUITES[n] in out else [SUITES[n]]
    return out
