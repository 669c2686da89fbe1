"""Winogrande's requests in plain Python, written from lm-evaluation-harness v0.4.12:
lm_eval/tasks/winogrande/preprocess_winogrande.py (doc_to_text: {"1": 0, "2": 1}[answer];
doc_to_target: sentence[sentence.index("_") + 1:].strip(); doc_to_choice: sentence[:index] + option)
and lm_eval/api/task.py's multiple-input path (a shot is c[q] + target_delimiter + target +
fewshot_delimiter; each context is the shots + one filled sentence; the continuation is
target_delimiter + target). Python's own str.index, slicing and strip.

stdin: {"docs": [row], "shots": [[row]]} (the shots of each doc); stdout: [[[context, continuation], ...] or null]
"""
import json
import sys


def doc_to_text(doc):
    return {"1": 0, "2": 1}[doc["answer"]]


def doc_to_target(doc):
    idx = doc["sentence"].index("_") + 1
    return doc["sentence"][idx:].strip()


def doc_to_choice(doc):
    idx = doc["sentence"].index("_")
    return [doc["sentence"][:idx] + opt for opt in [doc["option1"], doc["option2"]]]


def requests(doc, shots):
    prefix = "".join(doc_to_choice(s)[doc_to_text(s)] + " " + doc_to_target(s) + "\n\n" for s in shots)
    cont = doc_to_target(doc)
    return [[prefix + ctx, " " + cont] for ctx in doc_to_choice(doc)]


req = json.load(sys.stdin)
json.dump([requests(d, s) for d, s in zip(req["docs"], req["shots"])], sys.stdout)
