"""Real translated MCQ items in Armenian, Hindi and German, written for these tests."""

from babelforge.schemas.records import TranslatedMCQ

HY_PARAGRAPH = (
    "Երևանը Հայաստանի մայրաքաղաքն ու ամենամեծ քաղաքն է։ Այն հիմնադրվել է մ.թ.ա. 782 "
    "թվականին, երբ Ուրարտուի Արգիշտի Ա թագավորը կառուցեց Էրեբունի ամրոցը։ Քաղաքում ապրում է "
    "մոտ մեկ միլիոն մարդ։"
)

HI_PARAGRAPH = (
    "ताजमहल आगरा में यमुना नदी के किनारे स्थित सफ़ेद संगमरमर का एक मकबरा है। इसे मुग़ल बादशाह "
    "शाहजहाँ ने अपनी पत्नी मुमताज़ महल की याद में बनवाया था। इसका निर्माण 1632 में शुरू हुआ और "
    "लगभग 1653 में पूरा हुआ।"
)

HI_OTHER_PARAGRAPH = (
    "गंगा भारत की सबसे लंबी नदी है। यह हिमालय में गंगोत्री हिमनद से निकलती है और बंगाल की खाड़ी "
    "में गिरती है। इसके किनारे वाराणसी और पटना जैसे पुराने शहर बसे हैं।"
)

DE_PARAGRAPH = (
    "Die Berliner Mauer wurde am 13. August 1961 von der Regierung der DDR errichtet. Sie "
    "trennte West-Berlin vom Ostteil der Stadt und vom Umland. Am 9. November 1989 wurde die "
    "Grenze geöffnet, und die Mauer fiel."
)


def armenian_item(**changes: object) -> TranslatedMCQ:
    """Who built the Erebuni fortress? Correct: Argishti I."""
    item = TranslatedMCQ(
        id="hy-erebuni",
        mcq_id="mcq-erebuni",
        pair_id="pair-yerevan",
        language="hy",
        question="Ո՞ր թագավորն է կառուցել Էրեբունի ամրոցը։",
        options=("Արգիշտի Ա", "Տիգրան Մեծ", "Աշոտ Երկաթ", "Վարդան Մամիկոնյան"),
        answer_index=0,
        target_paragraph=HY_PARAGRAPH,
        source_question="Which king built the Erebuni fortress?",
        source_options=("Argishti I", "Tigranes the Great", "Ashot the Iron", "Vardan Mamikonian"),
        back_translated_question="Which king built the fortress of Erebuni?",
        back_translated_options=(
            "Argishti I",
            "Tigran the Great",
            "Ashot Iron",
            "Vardan Mamikonyan",
        ),
    )
    return item.model_copy(update=changes)


def hindi_item(**changes: object) -> TranslatedMCQ:
    """In whose memory was the Taj Mahal built? Correct: Mumtaz Mahal."""
    item = TranslatedMCQ(
        id="hi-taj",
        mcq_id="mcq-taj",
        pair_id="pair-taj",
        language="hi",
        question="ताजमहल किसकी याद में बनवाया गया था?",
        options=("मुमताज़ महल", "नूरजहाँ", "जोधा बाई", "रज़िया सुल्तान"),
        answer_index=0,
        target_paragraph=HI_PARAGRAPH,
        source_question="In whose memory was the Taj Mahal built?",
        source_options=("Mumtaz Mahal", "Nur Jahan", "Jodha Bai", "Razia Sultan"),
        back_translated_question="In whose memory was the Taj Mahal built?",
        back_translated_options=("Mumtaz Mahal", "Noor Jahan", "Jodha Bai", "Razia Sultan"),
    )
    return item.model_copy(update=changes)


def german_item(**changes: object) -> TranslatedMCQ:
    """Who built the Berlin Wall? Correct: the government of the GDR."""
    item = TranslatedMCQ(
        id="de-mauer",
        mcq_id="mcq-mauer",
        pair_id="pair-mauer",
        language="de",
        question="Wer errichtete die Berliner Mauer?",
        options=(
            "die Regierung der DDR",
            "die Sowjetarmee",
            "der Berliner Senat",
            "die Vereinigten Staaten",
        ),
        answer_index=0,
        target_paragraph=DE_PARAGRAPH,
        source_question="Who built the Berlin Wall?",
        source_options=(
            "the government of the GDR",
            "the Soviet Army",
            "the Berlin Senate",
            "the United States",
        ),
        back_translated_question="Who erected the Berlin Wall?",
        back_translated_options=(
            "the government of the GDR",
            "the Soviet Army",
            "the Berlin Senate",
            "the United States",
        ),
    )
    return item.model_copy(update=changes)
