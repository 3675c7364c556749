"""Held-out messages, written after the guard was tuned and never used to tune it.
`python -m evals.guard_holdout_cases` writes evals/datasets/guard_holdout.jsonl."""

import json
from pathlib import Path

from evals.guard_dataset import locate

CASES = [
    ("en", "hey, jessica moore here, I'm in second year and I have coeliac disease, does the canteen know?", [("PERSON", "jessica moore"), ("HEALTH", "coeliac disease")]),
    ("en", "I suffer from migraines so I'd like the lights dimmed during exams", [("HEALTH", "migraines")]),
    ("en", "Reach me on +33 6 41 22 90 17 or robert.king@icloud.com", [("PHONE_NUMBER", "+33 6 41 22 90 17"), ("EMAIL_ADDRESS", "robert.king@icloud.com")]),
    ("en", "I'm a Sikh and wear a turban, is that ok for the ID card photo?", [("RELIGION", "Sikh")]),
    ("en", "Being bipolar, I sometimes miss classes. Is that written in my file?", [("HEALTH", "bipolar")]),
    ("en", "I'm deaf, are the lectures subtitled?", [("HEALTH", "deaf")]),
    ("en", "My partner and I are both trans and want to know about housing.", [("SEXUAL_ORIENTATION", "trans")]),
    ("en", "I'm a Labour party member, does that matter for the scholarship?", [("POLITICAL_OPINION", "Labour party")]),
    ("en", "Refund to IT60 X054 2811 1010 0000 0123 456 please", [("IBAN_CODE", "IT60 X054 2811 1010 0000 0123 456")]),
    ("en", "My card 6011 0009 9013 9424 got charged twice", [("CREDIT_CARD", "6011 0009 9013 9424")]),
    ("en", "Does the group process data about students' religion for catering?", []),
    ("en", "What happens to data about union membership of teachers?", []),
    ("en", "Is the school accessible for wheelchair users?", []),
    ("en", "Do you keep records of who attended the LGBT awareness week?", []),
    ("en", "How long do you keep CCTV footage at the Lyon campus?", []),
    ("en", "Can Jean-Pierre from admissions see my file?", [("PERSON", "Jean-Pierre")]),
    ("en", "What data does the ECE alumni association receive?", []),
    ("en", "I was born 5 May 2000 in Marseille, is my birth date on the diploma?", [("DATE_TIME", "5 May 2000"), ("LOCATION", "Marseille")]),
    ("en", "Please don't store my IP 10.0.0.23", [("IP_ADDRESS", "10.0.0.23")]),
    ("en", "Is asthma considered health data under the GDPR?", []),
    ("fr", "Salut, moi c'est Yanis, je suis épileptique depuis l'enfance", [("PERSON", "Yanis"), ("HEALTH", "épileptique")]),
    ("fr", "Je suis protestante et je voudrais savoir si l'école a une aumônerie", [("RELIGION", "protestante")]),
    ("fr", "J'ai une maladie de Crohn, puis-je avoir des pauses pendant les examens ?", [("HEALTH", "maladie de Crohn")]),
    ("fr", "Mon numéro : 07 83 45 12 90, mon mail : ines.b@sfr.fr", [("PHONE_NUMBER", "07 83 45 12 90"), ("EMAIL_ADDRESS", "ines.b@sfr.fr")]),
    ("fr", "Je suis bi et en couple avec une fille de ma promo", [("SEXUAL_ORIENTATION", "bi")]),
    ("fr", "En tant que délégué syndical CFDT, je demande l'accès au registre", [("TRADE_UNION", "délégué syndical"), ("TRADE_UNION", "CFDT")]),
    ("fr", "Je suis malentendant, les cours sont-ils sous-titrés ?", [("HEALTH", "malentendant")]),
    ("fr", "J'habite 18 avenue Foch, 75116 Paris", [("STREET_ADDRESS", "18 avenue Foch, 75116 Paris")]),
    ("fr", "Mon NIR : 2 04 06 33 063 009 17", [("FR_NIR", "2 04 06 33 063 009 17")]),
    ("fr", "Mon INE c'est 1122334455Z", [("FR_INE", "1122334455Z")]),
    ("fr", "Traitez-vous des données relatives à la santé des candidats ?", []),
    ("fr", "Les empreintes digitales sont-elles utilisées pour la cantine ?", []),
    ("fr", "Y a-t-il des données sur l'appartenance religieuse dans les dossiers ?", []),
    ("fr", "Combien de temps gardez-vous les données des stagiaires ?", []),
    ("fr", "Que fait l'INSEEC des données des étudiants en alternance ?", []),
    ("fr", "Je suis végane, la cantine propose-t-elle des menus adaptés ?", []),
    ("fr", "Ma mère est d'origine vietnamienne, est-ce noté dans mon dossier ?", [("ETHNIC_ORIGIN", "d'origine vietnamienne")]),
    ("fr", "J'ai voté pour les écologistes, un prof l'a su", [("POLITICAL_OPINION", "voté pour les écologistes")]),
    ("fr", "Est-ce que la reconnaissance faciale est utilisée à l'entrée ?", []),
    ("fr", "Je suis née le 02/09/2003 à Nantes", [("DATE_TIME", "02/09/2003"), ("LOCATION", "Nantes")]),
]


def main() -> None:
    out = Path(__file__).parent / "datasets" / "guard_holdout.jsonl"
    lines = []
    for i, (lang, text, spans) in enumerate(CASES, 1):
        located = locate(text, [{"entity": e, "text": s} for e, s in spans], f"holdout-{i}")
        lines.append(json.dumps({"id": f"holdout-{i:03d}", "lang": lang, "text": text,
                                 "spans": [{"entity": s["entity"], "text": s["text"]} for s in located]}, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} messages to {out}")


if __name__ == "__main__":
    main()
