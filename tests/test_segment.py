import textwrap

import pytest

from classifier import ClassifierError, split_paragraphs


def test_lines_mode_takes_each_non_blank_line() -> None:
    text = "One\n  \nTwo\r\nThree"
    spans = split_paragraphs(text, "lines")
    assert [s.text for s in spans] == ["One", "Two", "Three"]
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize("ending", ["\u2029", "\u2028", "\x85", "\x0c", "\x0b"])
def test_unicode_and_page_break_line_endings_end_lines(ending: str) -> None:
    # Text from Word, PDFs and some CMS exports ends lines with these; str.splitlines does too.
    lines = ["Storm closes the bridge", "The bridge stays shut until Friday.", "Read more:"]
    text = ending.join(lines)
    for split in ("auto", "lines"):
        spans = split_paragraphs(text, split)
        assert [s.text for s in spans] == lines
        assert all(text[s.start : s.end] == s.text for s in spans)


def test_the_unicode_paragraph_separator_separates_blocks() -> None:
    text = "Storm closes the bridge\u2029The bridge stays shut\nuntil Friday, the council said.\u2029Read more:"
    assert [s.text for s in split_paragraphs(text, "blocks")] == [
        "Storm closes the bridge",
        "The bridge stays shut\nuntil Friday, the council said.",
        "Read more:",
    ]


def test_auto_uses_lines_without_blank_lines() -> None:
    assert [s.text for s in split_paragraphs("a\nb\nc\n")] == ["a", "b", "c"]


def test_auto_keeps_a_wrapped_block_whole_between_blank_lines() -> None:
    text = "Title\n\nThe first line of a paragraph that\ncontinues on the second line.\n\n\nLast\n"
    spans = split_paragraphs(text)
    assert [s.text for s in spans] == [
        "Title",
        "The first line of a paragraph that\ncontinues on the second line.",
        "Last",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_auto_splits_a_block_of_complete_lines_into_lines() -> None:
    # A spider that joins the body with blank lines and appends its footer one line each.
    body = ["Headline of the story", "First paragraph of the story.", "Second paragraph of the story."]
    footer = ["Photo: Town Council", "Sign up for our newsletter", "Related stories", "- Another story here"]
    text = "\n\n".join(body) + "\n\n" + "\n".join(footer) + "\n"
    assert [s.text for s in split_paragraphs(text)] == body + footer


def test_auto_one_stray_blank_line_does_not_glue_a_page_of_lines() -> None:
    # An empty <p> joined with "\n" by a spider: the page is still one paragraph per line.
    lines = ["Headline", "By A. Writer", "First paragraph.", "Second paragraph.", "Read more:", "Other story"]
    text = "\n".join([*lines[:3], "", *lines[3:]])
    assert [s.text for s in split_paragraphs(text)] == lines


def test_auto_sections_of_lines_between_blank_lines_stay_lines() -> None:
    text = "Title\nBy A. Writer\n\nFirst paragraph.\nSecond paragraph.\nThird one.\n\nRead more:\nOther story"
    assert len(split_paragraphs(text)) == 7  # each line its own paragraph


def test_auto_hard_wrapped_paragraphs_are_blocks() -> None:
    # More touching lines than blank lines, but the touching lines continue sentences.
    text = (
        "A title\n\nThe council met on Tuesday and voted\nto repair the old bridge before the\nwinter, "
        "officials said.\n\nThe work will cost more than\nexpected and take until spring.\n"
    )
    assert [s.text.split("\n")[0] for s in split_paragraphs(text)] == [
        "A title",
        "The council met on Tuesday and voted",
        "The work will cost more than",
    ]


def test_blocks_with_crlf() -> None:
    text = "A\r\nB\r\n\r\nC\r\n"
    assert [s.text for s in split_paragraphs(text, "blocks")] == ["A\r\nB", "C"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\r\n \t\r\n", "\u200b\n\ufeff \n"])
def test_empty_and_whitespace_text_has_no_paragraphs(text: str) -> None:
    assert split_paragraphs(text) == []


def test_auto_with_crlf_line_endings_and_no_blank_lines_uses_lines() -> None:
    assert [s.text for s in split_paragraphs("a\r\nb\r\nc\r\n")] == ["a", "b", "c"]
    assert [s.text for s in split_paragraphs("a\rb\r\rc")] == ["a", "b", "c"]
    assert [s.text for s in split_paragraphs("a\rb\r\rc", "blocks")] == ["a\rb", "c"]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ClassifierError, match="split mode"):
        split_paragraphs("x", "sentences")


_THAI_BODY = [
    "สภาเทศบาลเมืองขอนแก่นมีมติเมื่อวันอังคารให้ซ่อมแซมสะพานข้ามบึงก่อนฤดูฝนปีหน้า หลังจากชาวบ้านร้องเรียนมาหลายเดือน"
    " นายกเทศมนตรีกล่าวว่างบประมาณจะมาจากเงินสะสมของเทศบาล และคาดว่างานจะเสร็จภายในสี่เดือน"
    " ผู้รับเหมาจะเริ่มปิดทางเดินฝั่งตะวันออกตั้งแต่สัปดาห์หน้า",
    "ชาวบ้านบางส่วนกังวลว่าการปิดสะพานจะทำให้ต้องเดินทางอ้อมไกลขึ้น โดยเฉพาะนักเรียนที่ใช้ทางนี้ทุกเช้า"
    " เทศบาลจึงจะจัดรถรับส่งฟรีระหว่างที่ซ่อม และจะติดป้ายบอกทางเลี่ยงไว้ทุกทางแยก",
]


@pytest.mark.parametrize("width", [50, 72])
def test_auto_keeps_hard_wrapped_thai_paragraphs_whole(width: int) -> None:
    # Thai spaces phrases, not words, and marks no sentence ends: its wrapped lines stop well short of
    # the width and its paragraphs end without a full stop.
    wrapped = [textwrap.fill(p, width) for p in _THAI_BODY]
    assert all("\n" in w for w in wrapped)
    assert [s.text for s in split_paragraphs("\n\n".join(wrapped))] == wrapped


def test_auto_splits_a_thai_footer_block_below_unwrapped_paragraphs() -> None:
    footer = ["ภาพ: ฝ่ายประชาสัมพันธ์เทศบาล", "กดติดตามเพจของเราเพื่อไม่พลาดข่าวท้องถิ่น", "#ขอนแก่น #สะพาน"]
    text = "\n\n".join(_THAI_BODY) + "\n\n" + "\n".join(footer)
    assert [s.text for s in split_paragraphs(text)] == [*_THAI_BODY, *footer]


def test_auto_splits_a_japanese_footer_block_into_lines() -> None:
    # Lines without spaces: a wrapper breaks them anywhere, so a short line followed by a long one is no
    # sign of a wrap, as it would be between words.
    body = ["市議会は歩道橋の撤去を可決した。", "工事は来年の春に始まる予定だという。"]
    footer = [
        "社会面の最新ニュース記事一覧はこちらからどうぞ",
        "前の記事：市民プールの営業時間が来月から大幅に延長される",
        "ご意見・ご感想は投稿フォームからお寄せください",
    ]
    text = "\n\n".join(body) + "\n\n" + "\n".join(footer)
    assert [s.text for s in split_paragraphs(text)] == [*body, *footer]


def test_auto_splits_a_line_footer_below_a_hard_wrapped_body() -> None:
    body = [
        "The council met on Tuesday evening and voted to repair the old river bridge before the first"
        " frost, after months of complaints from people who cross it on foot every morning.",
        "Work starts next week. The east footpath will close first, and a free shuttle bus will run"
        " between the two banks for as long as the repairs take, officials said.",
    ]
    footer = ["Photo: Town Council", "Sign up for our weekly newsletter", "More from the Valley Courier"]
    wrapped = [textwrap.fill(p, 60) for p in body]
    text = "\n\n".join(wrapped) + "\n\n" + "\n".join(footer) + "\n"
    assert [s.text for s in split_paragraphs(text)] == [*wrapped, *footer]


_BODY = [
    "The council met on Tuesday evening and voted to repair the old river bridge before the first"
    " frost, after months of complaints from people who cross it on foot every morning.",
    "Work starts next week. The east footpath will close first, and a free shuttle bus will run"
    " between the two banks for as long as the repairs take, officials said.",
    "Residents on the west bank said they were relieved, although some shop owners worried that"
    " fewer customers would walk over from the station while the bridge is closed.",
]
_FOOTER = [
    "Photo: Town Council",
    "Related: Budget vote delayed again as council members argue over the cost of the new pool",
    "Sign up for our weekly newsletter",
    "© 2026 Valley Courier",
]


def test_auto_splits_a_footer_glued_below_a_hard_wrapped_body() -> None:
    # A spider that appends its footer with a bare newline: no blank line marks where the body ends.
    wrapped = [textwrap.fill(p, 72) for p in _BODY]
    text = "\n\n".join(wrapped) + "\n" + "\n".join(_FOOTER) + "\n"
    assert [s.text for s in split_paragraphs(text)] == [*wrapped, *_FOOTER]


def test_auto_splits_a_footer_glued_below_a_german_body_wrapped_at_60() -> None:
    # German nouns are capitalised, so few wrapped lines go on in lower case, and before a long compound
    # a line ends far short of 60 columns. What shows those wraps is that the next word had no room.
    body = [
        "Nach langen Diskussionen hat der Gemeinderat das Hochwasserschutzkonzept für die Uferpromenade"
        " beschlossen. Vorgesehen sind Schutzmauern, Rückhaltebecken und Entwässerungsgräben entlang der"
        " Ache, deren Kosten die Landesregierung zur Hälfte übernimmt.",
        "Bürgermeisterin Katrin Oberhauser sprach von einem Meilenstein. Grundstückseigentümer am Westufer"
        " kritisierten dagegen das Bürgerbeteiligungsverfahren, weil Informationsveranstaltungen nur"
        " werktags am Vormittag stattgefunden hätten.",
        "Die Straßenbauarbeiten sollen im März beginnen. Verkehrsberuhigungsmaßnahmen in der Innenstadt"
        " und Umleitungsempfehlungen für Pendler will die Stadtverwaltung rechtzeitig im Amtsblatt"
        " veröffentlichen.",
    ]
    footer = [
        "Foto: Stadt Achental / Pressestelle",
        "Lesen Sie auch: Neuer Radweg am Seeufer soll im Frühjahr fertig werden",
        "Mehr aus der Region",
        "Newsletter abonnieren und keine Meldung aus dem Achental verpassen",
        "Kommentare",
        "© 2026 Achentaler Bote, alle Rechte vorbehalten",
    ]
    wrapped = [textwrap.fill(p, 60) for p in body]
    text = "\n\n".join(wrapped) + "\n" + "\n".join(footer) + "\n"
    assert [s.text for s in split_paragraphs(text)] == [*wrapped, *footer]


def test_auto_keeps_a_short_german_article_wrapped_with_blank_lines_in_blocks() -> None:
    # Too short to show two lines going on in lower case: the blocks' lines all stop at one width.
    paragraphs = [
        "Hochwasserschutz für die Uferpromenade beschlossen",
        "Der Gemeinderat hat am Dienstagabend das neue Hochwasserschutzkonzept der Stadt Achental"
        " beschlossen. Vorgesehen sind Schutzmauern, Rückhaltebecken und Entwässerungsgräben an der Ache.",
        "Grundstückseigentümer am Westufer kritisierten das Verfahren. Informationsabende hätten nur"
        " werktags stattgefunden, sagte Sprecher Markus Oberhauser.",
    ]
    wrapped = [textwrap.fill(p, 72) for p in paragraphs]
    assert [s.text for s in split_paragraphs("\n\n".join(wrapped) + "\n")] == wrapped


def test_auto_splits_footer_lines_longer_than_the_wrap_width() -> None:
    footer = [
        "Read more: Why the river bridge has needed repairs for a decade, and what the town plans to do"
        " about its other crossings",
        "Support local reporting: become a member of the Valley Courier for less than a coffee a week",
    ]
    wrapped = [textwrap.fill(p, 72) for p in _BODY]
    text = "\n\n".join(wrapped) + "\n\n" + "\n".join(footer) + "\n"
    assert [s.text for s in split_paragraphs(text)] == [*wrapped, *footer]


def test_auto_keeps_paragraphs_of_a_text_folded_without_blank_lines() -> None:
    # fold -s over one paragraph per line: only the line lengths show where a paragraph ends.
    paragraphs = ["Bridge repairs to start before winter", *_BODY, *_FOOTER]
    folded = [textwrap.fill(p, 72) for p in paragraphs]
    assert [s.text for s in split_paragraphs("\n".join(folded))] == folded


def test_auto_keeps_one_line_per_paragraph_in_a_script_without_capitals() -> None:
    # Georgian letters are all lower case, so every line "goes on in lower case"; a paragraph line longer
    # than any wrap width keeps such lines from counting as wraps.
    lines = [
        "თბილისში ახალი ხიდის მშენებლობა ზამთრამდე დაიწყება",
        "ავტორი: ნინო კაპანაძე · 12 ნოემბერი",
        "მერიის განცხადებით, სამუშაოები ოთხ თვეს გაგრძელდება და მოძრაობა დროებით შეიზღუდება. ხიდის ორივე"
        " მხარეს დროებითი გადასასვლელები მოეწყობა, ხოლო ავტობუსები სხვა მარშრუტით ივლიან, სანამ"
        " სამუშაოები არ დასრულდება.",
        "ადგილობრივი მაცხოვრებლები ამბობენ, რომ ხიდი დიდი ხანია საჭიროებდა შეკეთებას.",
        "გამოიწერეთ ჩვენი ყოველკვირეული სიახლეები",
    ]
    assert [s.text for s in split_paragraphs("\n".join(lines))] == lines


def test_auto_keeps_short_paragraphs_one_per_line_apart_when_their_lines_end_sentences() -> None:
    # Paragraphs of about the same length, one per line, in a script without case: every line "nearly
    # fills" the longest, so the page read as folded text and came out as three paragraphs, the headline
    # with the body and the body with its footer. A folded text's full lines go on mid-sentence.
    lines = [
        "بلدية المدينة تفتتح مكتبة عامة جديدة في الحي الشمالي",
        "افتتحت بلدية المدينة صباح اليوم مكتبة عامة جديدة في الحي الشمالي بعد عامين من أعمال البناء والتجهيز.",
        "وتضم المكتبة أكثر من عشرين ألف كتاب باللغتين العربية والإنجليزية إضافة إلى قاعة مطالعة وركن خاص للأطفال.",
        "وقال رئيس البلدية إن المشروع كلف نحو ثلاثة ملايين دينار وإن المكتبة ستفتح أبوابها يوميا حتى التاسعة مساء.",
        "وأضاف أن البلدية تعمل مع المدارس القريبة على تنظيم زيارات أسبوعية للطلاب ابتداء من الفصل الدراسي المقبل.",
        "وأشار عدد من سكان الحي إلى أن أقرب مكتبة كانت تبعد عنهم أكثر من عشرة كيلومترات قبل افتتاح المبنى الجديد.",
        "ومن المتوقع أن تستضيف المكتبة خلال الشهر القادم سلسلة من الورش حول الكتابة والقراءة للأطفال واليافعين.",
        "وتخطط البلدية لافتتاح مكتبتين أخريين في الأحياء الجنوبية خلال السنوات الثلاث المقبلة وفق خطتها المعلنة.",
        "تابعونا على صفحاتنا في مواقع التواصل",
        "جميع الحقوق محفوظة © 2026",
    ]
    assert [s.text for s in split_paragraphs("\n".join(lines))] == lines


def test_auto_keeps_numbered_lines_of_a_one_per_line_page_apart() -> None:
    # "1a jornada" goes on with a lower-case letter after the number: read as a wrap, such lines glued
    # a whole one-per-line page (schedule, tag line, comment rules) into one paragraph.
    rounds = [("7", "febrero", "Valdemoro"), ("21", "febrero", "Alcoy"), ("8", "marzo", "Teruel")]
    rounds += [("22", "marzo", "Jaca"), ("5", "abril", "Lorca"), ("19", "abril", "Motril")]
    rounds += [("3", "mayo", "Cieza"), ("17", "mayo", "Baza"), ("31", "mayo", "Utiel")]
    lines = [
        "Torneo Ciudad de Ostrava: el calendario de 2026",
        "martes, 13 de enero de 2026, 9:05",
        "El calendario completo de la temporada",
        *[f"{i}a jornada: {day} de {month} – {town}" for i, (day, month, town) in enumerate(rounds, 1)],
        "* Fechas sujetas a cambios por parte de la organización del torneo",
        "Etiquetas",
        "torneo ostrava, calendario torneo 2026, jornadas torneo ostrava, torneo valdemoro, torneo alcoy, "
        "torneo teruel, torneo jaca, torneo lorca, torneo motril, torneo cieza",
        "Aviso: los comentarios ofensivos o sin relación con la noticia serán eliminados por la moderación.",
    ]
    assert [s.text for s in split_paragraphs("\n".join(lines))] == lines


def test_split_is_named_as_in_label_and_clean() -> None:
    assert [s.text for s in split_paragraphs("a b\nc d", split="lines")] == ["a b", "c d"]


def test_a_footer_line_glued_below_a_wrapped_body_without_case_comes_apart() -> None:
    # Arabic has no lower case to show a wrap; the footer's first word would have fitted on the line
    # above it, so no wrapper broke there.
    body = [
        "قالت البلدية إن أعمال صيانة الجسر القديم ستبدأ الأسبوع المقبل وتستمر ثلاثة أشهر على الأقل، مع إغلاق"
        " جزئي للطريق خلال ساعات الليل فقط.",
        "وأضاف المتحدث باسم البلدية أن السكان سيتمكنون من استخدام طريق بديل عبر الحي الشمالي، وأن الحافلات"
        " ستغير مساراتها مؤقتا حتى انتهاء الأعمال.",
    ]
    wrapped = [textwrap.fill(p, 40) for p in body]
    text = wrapped[0] + "\n\n" + wrapped[1] + "\nجميع الحقوق محفوظة\n"
    assert [s.text for s in split_paragraphs(text)] == [*wrapped, "جميع الحقوق محفوظة"]


def test_folded_text_without_case_or_blank_lines_comes_apart_into_its_paragraphs() -> None:
    # `fold -s` of a Hindi page: a headline, short paragraphs, no blank line anywhere, so many breaks
    # close a sentence. It was kept as one paragraph; now a paragraph ends where the next line's first
    # word would have fitted. (Where the last line nearly fills the width, only its length could tell.)
    paragraphs = [
        "पुराने पुल की मरम्मत अगले सप्ताह से",
        "नगर निगम ने पुराने पुल की मरम्मत का काम अगले सप्ताह से शुरू करने की घोषणा की है। काम कम से कम तीन महीने चलेगा।",
        "इस दौरान रात में सड़क आंशिक रूप से बंद रहेगी और दिन में यातायात सामान्य रहेगा।",
        "निगम के प्रवक्ता ने बताया कि लोग उत्तरी मोहल्ले से होकर जाने वाले दूसरे रास्ते का इस्तेमाल कर सकेंगे।",
        "बसों के मार्ग भी काम पूरा होने तक अस्थायी रूप से बदले जाएंगे।",
        "स्थानीय व्यापारियों ने कहा कि वे इस फैसले का स्वागत करते हैं, लेकिन उन्हें उम्मीद है कि काम तय समय पर पूरा होगा।",
    ]
    folded = [textwrap.fill(p, 50) for p in paragraphs]
    got = [s.text for s in split_paragraphs("\n".join(folded))]
    assert got[:3] == folded[:3] and folded[5] in got


def test_a_latin_byline_does_not_turn_folded_text_without_case_into_lines() -> None:
    # The same kind of Hindi page with an English byline under the headline: the only line that starts
    # with a letter that has case starts in capitals, which read as "these are lines, not wraps", and
    # every wrapped paragraph came apart into its lines. Letters without case are the majority here.
    paragraphs = [
        "पुराने पुल की मरम्मत अगले सप्ताह से",
        "By Staff Desk, 5 April",
        "नगर निगम ने पुराने पुल की मरम्मत का काम अगले सप्ताह से शुरू करने की घोषणा की है। काम कम से कम तीन महीने चलेगा।",
        "इस दौरान रात में सड़क आंशिक रूप से बंद रहेगी और दिन में यातायात सामान्य रहेगा।",
        "निगम के प्रवक्ता ने बताया कि लोग उत्तरी मोहल्ले से होकर जाने वाले दूसरे रास्ते का इस्तेमाल कर सकेंगे।",
        "बसों के मार्ग भी काम पूरा होने तक अस्थायी रूप से बदले जाएंगे।",
    ]
    folded = [textwrap.fill(p, 50) for p in paragraphs]
    got = [s.text for s in split_paragraphs("\n".join(folded))]
    assert folded[2] in got and folded[3] in got


def test_a_paragraph_starting_in_lower_case_is_not_glued_to_a_short_line_above() -> None:
    # Folded at 60 columns, no blank lines: the paragraph under the headline opens with a brand written in
    # lower case, which reads like the headline's sentence going on, but its first word had room on the
    # headline's line, so no wrapper broke there.
    paragraphs = [
        "Marketplace to open an office",
        "eBay said on Wednesday that it would open a regional office in the old post office building,"
        " bringing about 200 jobs to the town centre by next year.",
        "The council welcomed the plan and said the building had stood empty for almost a decade, costing"
        " the town thousands in upkeep every year.",
    ]
    folded = [textwrap.fill(p, 60) for p in paragraphs]
    assert [s.text for s in split_paragraphs("\n".join(folded))] == folded
