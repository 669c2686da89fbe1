"""GSM8K's lm-eval prompts in plain Python, written from lm-evaluation-harness v0.4.12:
lm_eval/tasks/gsm8k/gsm8k.yaml (doc_to_text "Question: {{question}}\nAnswer:", doc_to_target the whole
answer, target_delimiter " ", fewshot_delimiter "\n\n", fewshot_split train) and
lm_eval/api/samplers.py (ContextSampler: random.Random(1234).sample(train, k) per document in order,
no evaluated document to drop since fewshot_split != test_split). Python's own random and json.

stdin: {"dir": path, "shots": k, "limit": n}; stdout: the first n test documents' contexts.
"""
import json
import random
import sys

req = json.load(sys.stdin)


def jsonl(name):
    with open(f"{req['dir']}/{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


train, test = jsonl("train"), jsonl("test")
rnd = random.Random(1234)
out = []
for doc in test[: req["limit"]]:
    shots = rnd.sample(train, req["shots"]) if req["shots"] else []
    ctx = "".join("Question: " + s["question"] + "\nAnswer:" + " " + s["answer"] + "\n\n" for s in shots)
    out.append(ctx + "Question: " + doc["question"] + "\nAnswer:")
json.dump(out, sys.stdout)
