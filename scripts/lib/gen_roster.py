#!/usr/bin/env python3
"""Writes a deterministic fictional roster of N people for benchmarks (never committed).

usage: gen_roster.py N OUT.csv [--seed S]
Grades are spread like the real networks: a few Permanent Secretaries and Directors General, many
Directors and Deputy Directors, some Chief Executives; a few opt-outs, delegates and interims.
"""
import csv
import random
import sys

def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 2027
    rng = random.Random(seed)
    grades = [("PS", 0.01), ("DG", 0.04), ("SCS2", 0.35), ("SCS1", 0.45), ("CE", 0.15)]
    first = ["Amara", "Ben", "Catherine", "David", "Eleanor", "Farid", "Grace", "Hamish", "Imogen", "James",
             "Kiran", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tomasz", "Zoë"]
    last = ["Adeyemi", "Bennett", "Campbell", "Davies", "Evans", "Fraser", "Hughes", "Iqbal", "Khan", "Lewis",
            "O'Neill", "Patel", "Roberts", "Stewart", "Thomas", "Walsh", "Young", "Zhang", "Müller", "Nwosu"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["email", "name", "grade", "department", "roles", "interim", "delegate", "opt_out"])
        for i in range(n):
            r = rng.random()
            acc = 0.0
            grade = grades[-1][0]
            for g, p in grades:
                acc += p
                if r < acc:
                    grade = g
                    break
            fn, ln = rng.choice(first), rng.choice(last)
            email = f"person{i:06d}@example.gov.uk"
            roles = "head-of-department" if grade == "PS" and rng.random() < 0.5 else ""
            delegate = f"office{i:06d}@example.gov.uk" if grade == "PS" and rng.random() < 0.5 else ""
            opt = rng.choice(["reminders", "all"]) if rng.random() < 0.03 else ""
            w.writerow([email, f"{fn} {ln}", grade, f"Department {i % 40}", roles,
                        "yes" if rng.random() < 0.02 else "", delegate, opt])

if __name__ == "__main__":
    main()
