"""Conclusions and recommendations by explicit rules, on small hand-made inputs (no database)."""
from __future__ import annotations

import re
from dataclasses import replace

from reports.rules import (
    INSTITUTE, DeficitTask, EntityValue, IndicatorChange, IndicatorMeta, ListedSchool, LowSchool, MarkerEvidence,
    MarkTwoShare, PrioritySkill, RuleConfig, SchoolEvidence, conclude_below_region, conclude_deficits, conclude_dynamics,
    conclude_objectivity, conclude_persistently_low, group_by_addressee, recommend_institute, recommend_municipal,
    recommend_individual_routes, recommend_schools, summarise_school_recommendations, worse_than_reference,
)

R01 = IndicatorMeta("R01", "Средний тестовый балл ЕГЭ по русскому языку (ВТГ)", "балл", "up")
R03 = IndicatorMeta("R03", "Доля результатов ЕГЭ ниже минимального балла (ВТГ)", "%", "down")
R14 = IndicatorMeta("R14", "ВПР 4 класс, математика: доля «4» и «5»", "%", "up")
CATALOGUE = {m.code: m for m in (R01, R03, R14)}
# The seeds' values as these tests assume them (indicator_settings, analysis_params, vpr_deficit_zones,
# marker_thresholds, marker_catalogue); the rules receive them, they never type them.
CFG = RuleConfig(z=2.0, score_sd=15.0, cluster_z=2.0, min_group=10, listed_min_markers=2,
                 marker_names={"M3": "Пики на границах отметок", "M4": "Несоответствие отметкам по журналу"})


def change(code, value, n, prev, prev_n, verdict, se=0.5):
    meta = CATALOGUE[code]
    return IndicatorChange(code, meta.name, meta.unit, meta.direction, value, n, prev, prev_n,
                           None if prev is None else value - prev, se, verdict)


# --- dynamics ------------------------------------------------------------------------------------

def test_dynamics_names_improvements_and_declines_with_their_numbers_and_n():
    items = conclude_dynamics([
        change("R01", 70.71, 500, 69.02, 480, "улучшение", se=0.6),
        change("R03", 6.0, 500, 4.0, 480, "ухудшение", se=0.8),
        change("R14", 72.0, 900, 71.5, 880, "без существенных изменений"),
    ], 2025, "Регион в целом", CFG)
    texts = [i.text for i in items]
    # declines first, then improvements
    assert texts[0].startswith("Ухудшение по показателю «Доля результатов ЕГЭ ниже минимального балла (ВТГ)»")
    assert "+2,0 процентного пункта" in texts[0]
    assert texts[1].startswith("Улучшение по показателю «Средний тестовый балл ЕГЭ по русскому языку (ВТГ)»")
    assert "70,7 балла (n = 500) в 2025 году против 69,0 балла (n = 480) в 2024 году" in texts[1]
    assert "+1,7 балла" in texts[1]
    assert "удвоенная стандартная ошибка изменения — 1,2 балла" in texts[1]
    assert texts[2].startswith("По остальному показателю изменение") and "R14" not in texts[2]
    assert not any(re.search(r"\b[RP]\d\d\b", t) for t in texts)       # names, never codes
    assert all(i.addressee == "Регион в целом" and i.kind == "conclusion" for i in items)


def test_dynamics_three_year_trend_is_named_with_its_first_year():
    trend = replace(change("R03", 6.0, 500, 5.0, 480, "без существенных изменений"),
                    value_y2=3.0, n_y2=450, trend="устойчивое ухудшение")
    flat = replace(change("R01", 70.71, 500, 69.02, 480, "улучшение", se=0.6),
                   value_y2=71.0, n_y2=470, trend="без устойчивой тенденции")
    texts = [i.text for i in conclude_dynamics([trend, flat], 2025, "Регион в целом", CFG)]
    assert texts[0].startswith("Улучшение") and "Устойчивой тенденции за три года нет (71,0 балла (n = 470) в 2023 году)" in texts[0]
    assert "изменение за год в пределах погрешности" in texts[1]
    assert "За три года — устойчивое ухудшение: 3,0 % (n = 450) в 2023 году." in texts[1]


def test_dynamics_orders_each_theme_by_size_of_change_times_n_and_words_the_seed_multiplier():
    small = change("R03", 6.0, 100, 4.0, 100, "ухудшение")          # 2 p.p. × 100 = 200
    large = change("R14", 60.0, 900, 70.0, 900, "ухудшение")        # 10 p.p. × 900 = 9 000
    items = conclude_dynamics([small, large], 2025, "Регион", CFG)
    assert [i.evidence for i in items] == [("R14",), ("R03",)]
    only_stable = conclude_dynamics([change("R14", 72.0, 900, 71.5, 880, "без существенных изменений")], 2025, "Регион",
                                    replace(CFG, z=3.0))
    many = conclude_dynamics([change(c, 72.0, 900, 71.5, 880, "без существенных изменений") for c in ("R01", "R03", "R14")],
                             2025, "Регион", CFG)
    assert many[0].text.startswith("По всем 3 показателям изменения по сравнению с 2024 годом не выходят за удвоенную")
    assert only_stable[0].text.startswith("По единственному показателю") and "утроенную стандартную ошибку" in only_stable[0].text


def test_dynamics_never_cites_a_suppressed_value_and_reports_missing_previous_year():
    items = conclude_dynamics([
        change("R01", 70.0, 500, 60.0, 3, "улучшение"),      # previous year from 3 pupils
        change("R03", 5.0, 500, None, None, None),
    ], 2025, "МО", CFG)
    assert not any("Улучшение" in i.text for i in items)
    # n = 3 is not comparable; the indicators without a comparison are named
    assert any(i.text.startswith("По показателям «Средний тестовый балл ЕГЭ по русскому языку (ВТГ)» и «Доля результатов "
                                 "ЕГЭ ниже минимального балла (ВТГ)» нет сопоставимых данных за 2024 год") for i in items)


# --- below the region ------------------------------------------------------------------------------

def test_worse_than_reference_respects_noise_and_direction():
    cfg = CFG
    # share 20 % vs region 10 %: SE at n=100 is 3 p.p., 2·SE = 6 < 10 → worse
    assert worse_than_reference(R14, 60.0, 100, 70.0, cfg)
    # n = 20: SE ≈ 10,2 p.p. → a 10-point gap is noise
    assert not worse_than_reference(R14, 60.0, 20, 70.0, cfg)
    # ↓ indicator: higher is worse
    assert worse_than_reference(R03, 20.0, 100, 10.0, cfg)
    assert not worse_than_reference(R03, 2.0, 100, 10.0, cfg)
    # mean scores: SD 15 → SE at n=100 is 1,5
    assert worse_than_reference(R01, 64.0, 100, 68.0, cfg)
    assert not worse_than_reference(R01, 66.0, 100, 68.0, cfg)


def test_below_region_groups_by_municipality_and_cites_both_values():
    region = {"R14": EntityValue("R14", "86", "Регион", 70.0, 5000), "R03": EntityValue("R03", "86", "Регион", 4.0, 3000)}
    mos = [
        EntityValue("R14", "01", "Город Северск", 58.0, 300),
        EntityValue("R03", "01", "Город Северск", 9.0, 400),
        EntityValue("R14", "02", "Кедровый район", 69.5, 300),      # within noise
        EntityValue("R03", "03", "Таёжный район", 50.0, 4),          # n < 5: never cited
    ]
    items = conclude_below_region(region, mos, CATALOGUE, CFG)
    assert [i.mo_code for i in items] == ["01"]
    assert items[0].addressee == "Город Северск"
    assert "«Доля результатов ЕГЭ ниже минимального балла (ВТГ)» — 9,0 % (n = 400) при 4,0 % по региону" in items[0].text
    assert items[0].evidence == ("R03", "R14") and "2 показателя" in items[0].text and "R14" not in items[0].text
    # by importance: R14 12 p.p. × 300 = 3 600 before R03 5 p.p. × 400 = 2 000
    assert items[0].text.index("«ВПР 4 класс, математика") < items[0].text.index("«Доля результатов ЕГЭ")


# --- deficits ------------------------------------------------------------------------------------

def test_region_deficits_cite_completion_threshold_and_schools():
    tasks = [DeficitTask("ВПР Математика 4", "10", "5.1", "Решать задачи в 3–4 действия", "П", 27.0, 1000, 28.5),
             DeficitTask("ВПР Математика 4", "3", "3.3", "Работать с таблицами", "Б", 51.3, 1010, 57.0)]
    items = conclude_deficits(tasks, "Регион в целом", CFG, {("ВПР Математика 4", "3"): (40, 200)})
    assert len(items) == 1
    text = items[0].text
    assert text.startswith("ВПР Математика 4: дефицит на уровне региона")
    assert text.index("задание 3 ") < text.index("задание 10 ")          # work order, not text order
    assert "выполнение 51,3 % при пороге 57,0 %" in text and "при пороге 28,5 %" in text
    assert "дефицит у 40 из 200 общеобразовательных организаций" in text


def test_region_deficit_works_are_ordered_by_shortfall_times_pupils():
    tasks = [DeficitTask("ВПР Математика 4", "3", "3.3", "", "Б", 56.0, 1000, 57.0),      # 1 × 1000
             DeficitTask("ВПР Биология 6", "2", "1.2", "", "Б", 47.0, 400, 57.0)]         # 10 × 400
    assert [i.text.split(":")[0] for i in conclude_deficits(tasks, "Регион", CFG)] == ["ВПР Биология 6", "ВПР Математика 4"]


# --- objectivity and persistently low ---------------------------------------------------------------

LISTED = ListedSchool("860005", "МБОУ «СОШ № 5»", "01", "Город Северск", (
    MarkerEvidence("ВПР Математика 4", "M3", "Пики на границах отметок: 40 из 55 работ на границе."),
    MarkerEvidence("ВПР Математика 4", "M4", "Отметка ВПР выше журнальной у 27 из 55 обучающихся."),
))
LOW = LowSchool("860017", "МБОУ «ООШ № 17»", "02", "Кедровый район")


def test_objectivity_conclusion_names_schools_and_share():
    items = conclude_objectivity([LISTED], 40, "Регион в целом", CFG)
    assert "(не менее 2 разных признаков) выявлены у 1 из 40 общеобразовательных организаций (2,5 %)" in items[0].text
    assert ("МБОУ «СОШ № 5» (860005) — M3 «Пики на границах отметок», M4 «Несоответствие отметкам по журналу»"
            in items[0].text)
    assert "не выявлены ни у одной из 21 общеобразовательной организации" in conclude_objectivity([], 21, "Регион", CFG)[0].text
    assert conclude_objectivity([], 0, "Регион", CFG) == []
    low = conclude_persistently_low([LOW], "Регион", CFG)[0].text
    assert "МБОУ «ООШ № 17» (860017)" in low and "— 1 общеобразовательная организация:" in low


def test_municipal_recommendations_observers_rechecking_targeted_help():
    items = recommend_municipal([LISTED], [LOW], 2025, CFG.marker_names)
    by_mo = {i.mo_code: i for i in items}
    rec = by_mo["01"]
    assert "Город Северск" in rec.addressee
    for phrase in ("независимых наблюдателей при проведении ВПР в 2026 году", "перепроверку работ ВПР 2025 года",
                   "программу адресной помощи", "МБОУ «СОШ № 5» (860005)", "признаки M3 «Пики на границах отметок», M4"):
        assert phrase in rec.text
    assert any("27 из 55" in e for e in rec.evidence)
    assert rec.evidence[0].startswith("M3 — в 1 работе; ВПР Математика 4: Пики")
    assert "МБОУ «ООШ № 17» (860017)" in by_mo["02"].text and by_mo["02"].topic == "persistently_low"


def test_school_recommendations_name_only_priority_skills_with_region_and_cluster():
    school = SchoolEvidence("860009", "МБОУ «СОШ № 9»", "01", "Город Северск",
                            priority=(PrioritySkill("ВПР Русский язык 5", "2.1", "Писать текст под диктовку", "7",
                                                    44.2, 61.0, 58.3, 25),
                                      PrioritySkill("ВПР Русский язык 5", "", "", "12", 20.0, 35.5, None, 25)),
                            mark_two=(MarkTwoShare("ВПР Математика 5", 12.0, 25),))
    quiet = SchoolEvidence("860010", "МБОУ «Лицей № 10»", "01", "Город Северск",
                           mark_two=(MarkTwoShare("ВПР Математика 5", 4.0, 25),))
    items = recommend_schools([school, quiet])
    assert [i.addressee for i in items] == ["МБОУ «СОШ № 9» (860009)"]      # no priority deficits: no advice
    text = items[0].text
    assert text.startswith("Внести изменения в рабочие программы")
    assert ("Русский язык 5 — 2.1 «Писать текст под диктовку» (задание 7: 44,2 % при 61,0 % по региону "
            "и 58,3 % по кластеру); задание 12 (20,0 % при 35,5 % по региону)") in text
    assert "маршрут" not in text
    routes = recommend_individual_routes([school, quiet])
    assert len(routes) == 1 and "есть в 2 из 2 общеобразовательных организаций, где проводились ВПР" in routes[0].text
    assert routes[0].evidence == ("860009", "860010")
    assert recommend_individual_routes([quiet.__class__("1", "a", "01", "b")]) == []


def test_regional_summary_groups_schools_by_cluster_in_code_order_without_counts():
    def ev(code: str) -> SchoolEvidence:
        return SchoolEvidence(code, f"ОО {code}", "01", "Город Северск",
                              priority=(PrioritySkill("ВПР Математика 6", "1.1", "Вычисления", "3", 30.0, 55.0, 50.0, 20),))
    items = recommend_schools([ev("860030"), ev("860002"), ev("860015")])
    clusters = {"860030": "городские малые", "860002": "городские крупные", "860015": "городские крупные"}
    works = {c: ["ВПР Математика 6"] for c in clusters}
    text = summarise_school_recommendations(items, {"01": "Город Северск"}, clusters, works)[0].text
    assert "Приоритетные дефициты выявлены в 3 общеобразовательных организациях" in text
    assert ("кластер «городские крупные»: ОО 860002 (860002) — Математика 6, ОО 860015 (860015) — Математика 6; "
            "кластер «городские малые»: ОО 860030 (860030) — Математика 6") in text
    assert "зад." not in text and "дефицитом" not in text


def test_institute_courses_and_seminar():
    deficits = [DeficitTask("ВПР Математика 4", "10", "5.1", "Решать задачи в 3–4 действия", "П", 27.0, 1000)]
    items = recommend_institute(deficits, [LISTED], [LOW])
    assert {i.addressee for i in items} == {INSTITUTE}
    topics = {i.topic: i.text for i in items}
    assert "5.1 «Решать задачи в 3–4 действия» (27,0 %)" in topics["courses"]
    assert "семинар" in topics["seminar"] and "МБОУ «СОШ № 5» (860005), Город Северск" in topics["seminar"]
    assert "860017" in topics["support"]
    assert recommend_institute([], []) == []


def test_group_by_addressee_keeps_first_appearance_order():
    items = recommend_municipal([LISTED], [LOW], 2025, CFG.marker_names)
    groups = group_by_addressee(items)
    assert [g[0] for g in groups][0].endswith("Город Северск")


def test_school_recommendation_cites_at_most_five_works_in_work_order_and_counts_the_rest():
    works = ["ВПР Биология 6", "ВПР История 5"] + [f"ВПР Математика {g}" for g in (8, 7, 6, 5, 4)]
    priority = tuple(PrioritySkill(w, "1.1", "", "2", 40.0, 60.0, 55.0, 30) for w in works)
    school = SchoolEvidence("860011", "МБОУ «СОШ № 11»", "01", "Город Северск", priority=priority)
    text = recommend_schools([school])[0].text
    cited = [w for w in ("Математика 4", "Математика 5", "История 5", "Математика 6", "Биология 6",
                         "Математика 7", "Математика 8") if w in text]
    assert cited == ["Математика 4", "Математика 5", "История 5", "Математика 6", "Биология 6"]
    assert "а также ещё 2 работы" in text


def test_deficits_say_when_no_school_is_large_enough_instead_of_zero_out_of_n():
    t = DeficitTask("ВПР Биология 6", "2", "1.2", "", "Б", 50.0, 40)
    text = conclude_deficits([t], "МО", CFG, {("ВПР Биология 6", "2"): (0, 0)}, mo_code="03")[0].text
    assert "0 из" not in text and "нет 10 участников работы, дефицит отдельных организаций не оценивается" in text
    assert "дефицит у 1 из 3 общеобразовательных организаций" in conclude_deficits(
        [t], "МО", CFG, {("ВПР Биология 6", "2"): (1, 3)}, mo_code="03")[0].text
