"""Real instruction records and their translations (German, Armenian, Hindi, Swahili)."""

from babelforge.generators.instructions.translate import protected_spans
from babelforge.schemas.records import InstructionRecord
from babelforge.validators.instr_candidate import InstructionCandidate

KINDS = ("code_block", "inline_code", "url", "tag", "placeholder", "number")

CODE = '```python\ndef greet(name):\n    return f"Hello, {name}!"\n```'

GREET_EN = (
    "Write a Python function that greets {name} and explain it in 2 sentences.",
    f"Here is the function:\n\n{CODE}\n\nThe function takes one argument and returns a "
    'greeting. Call it with `greet("Ana")` to greet Ana.',
)
GREET = {
    "de": (
        "Schreibe eine Python-Funktion, die {name} begrüßt, und erkläre sie in 2 Sätzen.",
        f"Hier ist die Funktion:\n\n{CODE}\n\nDie Funktion nimmt ein Argument entgegen und gibt "
        'eine Begrüßung zurück. Rufe sie mit `greet("Ana")` auf, um Ana zu begrüßen.',
    ),
    "hy": (
        "Գրիր Python ֆունկցիա, որը ողջունում է {name}-ին, և բացատրիր այն 2 նախադասությամբ։",
        f"Ահա ֆունկցիան՝\n\n{CODE}\n\nՖունկցիան ընդունում է մեկ արգումենտ և վերադարձնում է "
        'ողջույն։ Կանչիր այն `greet("Ana")`-ով՝ Անային ողջունելու համար։',
    ),
    "hi": (
        "एक Python फ़ंक्शन लिखिए जो {name} का अभिवादन करे, और उसे 2 वाक्यों में समझाइए।",
        f"यह रहा फ़ंक्शन:\n\n{CODE}\n\nयह फ़ंक्शन एक तर्क लेता है और एक अभिवादन लौटाता है। "
        'आना का अभिवादन करने के लिए इसे `greet("Ana")` के साथ बुलाइए।',
    ),
    "sw": (
        "Andika kitendakazi cha Python kinachomsalimia {name} na ukieleze kwa sentensi 2.",
        f"Hiki hapa kitendakazi:\n\n{CODE}\n\nKitendakazi hiki kinapokea hoja moja na kurudisha "
        'salamu. Kiite kwa `greet("Ana")` ili kumsalimia Ana.',
    ),
}

RESET_EN = (
    "List three steps to reset the password of user %s.",
    "1. Open https://example.com/reset in your browser.\n2. Enter the email address of "
    "user %s.\n3. Follow the link in the email within 24 hours.",
)
RESET = {
    "de": (
        "Nenne drei Schritte, um das Passwort von Benutzer %s zurückzusetzen.",
        "1. Öffne https://example.com/reset in deinem Browser.\n2. Gib die E-Mail-Adresse von "
        "Benutzer %s ein.\n3. Folge dem Link in der E-Mail innerhalb von 24 Stunden.",
    ),
    "hy": (
        "Թվարկիր երեք քայլ՝ %s օգտատիրոջ գաղտնաբառը վերականգնելու համար։",
        "1. Բացիր https://example.com/reset էջը քո զննարկիչում։\n2. Մուտքագրիր %s "
        "օգտատիրոջ էլեկտրոնային փոստի հասցեն։\n3. Հետևիր նամակի հղմանը 24 ժամվա ընթացքում։",
    ),
    "hi": (
        "उपयोगकर्ता %s का पासवर्ड रीसेट करने के तीन चरण बताइए।",
        "1. अपने ब्राउज़र में https://example.com/reset खोलिए।\n2. उपयोगकर्ता %s का ईमेल पता "
        "दर्ज कीजिए।\n3. 24 घंटे के भीतर ईमेल में दिए गए लिंक का पालन कीजिए।",
    ),
    "sw": (
        "Orodhesha hatua tatu za kuweka upya nenosiri la mtumiaji %s.",
        "1. Fungua https://example.com/reset kwenye kivinjari chako.\n2. Weka anwani ya barua "
        "pepe ya mtumiaji %s.\n3. Fuata kiungo kilicho kwenye barua pepe ndani ya saa 24.",
    ),
}


def english(instruction: str, output: str, input_text: str = "") -> InstructionRecord:
    return InstructionRecord(
        id="instr-en", language="en", instruction=instruction, input=input_text, output=output
    )


def candidate(
    source: InstructionRecord,
    language: str,
    instruction: str,
    output: str,
    input_text: str = "",
    back: tuple[str, str] | None = None,
) -> InstructionCandidate:
    """A candidate whose translation (and optional back-translation) are the texts given."""
    translation = InstructionRecord(
        id=f"instr-{language}",
        language=language,
        instruction=instruction,
        input=input_text,
        output=output,
        source_id=source.id,
        source_language="en",
    )
    back_translation = None
    if back is not None:
        back_translation = InstructionRecord(
            id=f"instr-bt-{language}",
            language="en",
            instruction=back[0],
            input=source.input,
            output=back[1],
            source_id=translation.id,
            source_language=language,
        )
    return InstructionCandidate(
        id=translation.id,
        source=source,
        translation=translation,
        protected=protected_spans(source, KINDS),
        back_translation=back_translation,
    )


def greet(language: str, **changes: str) -> InstructionCandidate:
    """The greeting record in `language`, with `instruction=`/`output=` overrides."""
    instruction, output = GREET[language]
    return candidate(
        english(*GREET_EN),
        language,
        changes.get("instruction", instruction),
        changes.get("output", output),
        back=GREET_EN,
    )


def reset(language: str, **changes: str) -> InstructionCandidate:
    """The password-reset record in `language`, with `instruction=`/`output=` overrides."""
    instruction, output = RESET[language]
    return candidate(
        english(*RESET_EN),
        language,
        changes.get("instruction", instruction),
        changes.get("output", output),
        back=RESET_EN,
    )
