"""GSM8K's scoring in plain Python, written from lm-evaluation-harness's own files at v0.4.12 —
lm_eval/tasks/gsm8k/gsm8k.yaml (filters, regexes_to_ignore, until), lm_eval/filters/extraction.py
(RegexFilter.apply: findall, group_select, first non-empty group of a tuple, strip, "[invalid]"),
lm_eval/api/metrics.py (exact_match: re.sub of each ignored regex in order, then lower) and
lm_eval/models/huggingface.py (the sequential split at each stop term) — and from the v1
leaderboard's harness at b281b09 (lm_eval/tasks/gsm8k.py: ANS_RE.search, strip, remove commas).
Python's own `re` and str: the point is to compare pagebench's TypeScript with them.

stdin: {"cases": [{"response", "answer"}], "cuts": [{"text", "until"}]}; stdout: the same lists scored.
"""
import json
import re
import sys

INVALID = "[invalid]"
STRICT = re.compile(r"#### (\-?[0-9\.\,]+)")
FLEXIBLE = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")
IGNORE = [",", "\\$", "(?s).*#### ", "\\.$"]


def regex_filter(resp, pattern, group_select):
    match = pattern.findall(resp)
    if not match:
        return INVALID
    match = match[group_select]
    if isinstance(match, tuple):
        match = [m for m in match if m]
        if not match:
            return INVALID
        match = match[0]
    return match.strip()


def normalize(s):
    for r in IGNORE:
        s = re.sub(r, "", s)
    return s.lower()


def legacy_extract(completion):
    m = STRICT.search(completion)
    return m.group(1).strip().replace(",", "") if m else INVALID


def cut(text, until):
    for term in until:
        if len(term) > 0:
            text = text.split(term)[0]
    return text


req = json.load(sys.stdin)
out = {"cases": [], "cuts": []}
for c in req["cases"]:
    strict = regex_filter(c["response"], STRICT, 0)
    flexible = regex_filter(c["response"], FLEXIBLE, -1)
    ref = normalize(c["answer"])
    out["cases"].append(
        {
            "strict": strict,
            "flexible": flexible,
            "normalized": normalize(c["response"]),
            "em_strict": 1 if normalize(strict) == ref else 0,
            "em_flexible": 1 if normalize(flexible) == ref else 0,
            "v1": 1 if legacy_extract(c["response"]) == legacy_extract(c["answer"]) else 0,
        }
    )
for c in req["cuts"]:
    out["cuts"].append(cut(c["text"], c["until"]))
json.dump(out, sys.stdout)
