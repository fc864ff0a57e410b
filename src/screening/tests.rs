//! Behaviour of each matching feature, through the public API.

use super::*;

fn party(names: &[&str], entity: EntityKind, countries: &[&str]) -> PartyDoc {
    PartyDoc {
        names: names.iter().map(|n| (n.to_string(), NameStrength::Strong)).collect(),
        entity,
        countries: countries.iter().map(|c| c.to_string()).collect(),
        identifiers: Vec::new(),
        particulars: Default::default(),
    }
}

fn index_of(parties: Vec<(u32, PartyDoc)>) -> Index<u32> {
    let mut index = Index::new();
    for (key, doc) in parties {
        index.upsert(key, vec![doc]);
    }
    index
}

fn best(index: &Index<u32>, query: &Query) -> Option<Hit<u32>> {
    let hits = index.screen(query);
    assert_eq!(
        hits,
        index.screen_brute_force(query),
        "index and brute force disagree on {query:?}"
    );
    hits.into_iter().next()
}

fn score(index: &Index<u32>, name: &str) -> f64 {
    let query = Query {
        min_score: 0.0,
        ..Query::new(name)
    };
    best(index, &query).map_or(0.0, |h| h.score)
}

fn feature(hit: &Hit<u32>, name: &str) -> Option<f64> {
    hit.features.iter().find(|f| f.name == name).map(|f| f.weight)
}

#[test]
fn reordered_tokens_match_fully() {
    let index = index_of(vec![(
        1,
        party(&["MADURO MOROS, Nicolas"], EntityKind::Person, &["VE"]),
    )]);
    assert!(score(&index, "Nicolas Maduro Moros") > 0.99);
}

#[test]
fn legal_forms_barely_matter() {
    let index = index_of(vec![(
        1,
        party(&["Rosneft Trading S.A."], EntityKind::Organisation, &[]),
    )]);
    assert!(score(&index, "Rosneft Trading") > 0.99);
    assert!(score(&index, "ROSNEFT TRADING LLC") > 0.99);
    let index = index_of(vec![(1, party(&["ООО «Ромашка»"], EntityKind::Organisation, &[]))]);
    assert!(score(&index, "Romashka OOO") > 0.99);
}

#[test]
fn typos_score_high_but_different_given_names_do_not() {
    let index = index_of(vec![(1, party(&["Nicolas Maduro"], EntityKind::Person, &[]))]);
    assert!(score(&index, "Nicholas Madura") > DEFAULT_MIN_SCORE);
    assert!(score(&index, "Antonio Maduro") < DEFAULT_MIN_SCORE);
}

#[test]
fn transliteration_matches_both_ways() {
    let index = index_of(vec![
        (1, party(&["Мохаммед Хусейн"], EntityKind::Person, &[])),
        (2, party(&["Vladimir Putin"], EntityKind::Person, &[])),
    ]);
    assert!(
        score(&index, "Mokhammed Khuseyn") > 0.99,
        "Latin query, Cyrillic-only listing"
    );
    assert!(score(&index, "Mohammed Husein") > DEFAULT_MIN_SCORE);
    assert!(
        score(&index, "Мохаммед Хусейн") > 0.99,
        "Cyrillic query, Cyrillic listing"
    );
    assert!(score(&index, "Владимир Путин") > 0.99, "Cyrillic query, Latin listing");
}

#[test]
fn phonetic_agreement_lifts_the_score() {
    let index = index_of(vec![(1, party(&["Muhammad Rahman"], EntityKind::Person, &[]))]);
    let query = Query {
        min_score: 0.0,
        ..Query::new("Mohammed Rahman")
    };
    let hit = best(&index, &query).expect("hit");
    assert!(feature(&hit, "phonetic").is_some_and(|w| w > 0.0));
}

#[test]
fn initials_and_concatenation() {
    let index = index_of(vec![
        (1, party(&["John Smith"], EntityKind::Person, &[])),
        (2, party(&["AlphaTech"], EntityKind::Organisation, &[])),
    ]);
    assert!(score(&index, "J. Smith") > DEFAULT_MIN_SCORE);
    assert!(score(&index, "Alpha Tech") > 0.95);
}

#[test]
fn identifier_scores_one() {
    let mut doc = party(&["Ocean Star"], EntityKind::Vessel, &["PA"]);
    doc.identifiers = vec!["IMO:9187629".into()];
    let index = index_of(vec![(1, doc)]);
    let query = Query {
        identifiers: vec!["IMO 918-7629".into()],
        ..Query::new("Completely Different")
    };
    let hit = best(&index, &query).expect("identifier hit");
    assert_eq!(hit.score, 1.0);
    assert_eq!(hit.matched_name, "Ocean Star");
}

#[test]
fn country_and_entity_mismatch_penalize() {
    let index = index_of(vec![(1, party(&["Petr Ivanov"], EntityKind::Person, &["RU"]))]);
    let base = Query {
        min_score: 0.0,
        ..Query::new("Petr Ivanov")
    };
    let same = best(
        &index,
        &Query {
            country: Some("ru".into()),
            ..base.clone()
        },
    )
    .expect("hit");
    let other = best(
        &index,
        &Query {
            country: Some("UA".into()),
            ..base.clone()
        },
    )
    .expect("hit");
    assert_eq!(same.score, 1.0);
    assert!((other.score - (1.0 + COUNTRY_MISMATCH_PENALTY)).abs() < 1e-6);
    let vessel = best(
        &index,
        &Query {
            entity: Some(EntityKind::Vessel),
            ..base
        },
    )
    .expect("hit");
    assert!(feature(&vessel, "entity_mismatch").is_some());
}

#[test]
fn weak_alias_alone_is_capped_but_can_raise() {
    let doc = PartyDoc {
        names: vec![
            ("Abdul Rahman Al Tikriti".into(), NameStrength::Strong),
            ("Abu Ali".into(), NameStrength::Weak),
        ],
        entity: EntityKind::Person,
        countries: Vec::new(),
        identifiers: Vec::new(),
        particulars: Default::default(),
    };
    let index = index_of(vec![(1, doc)]);
    let weak = score(&index, "Abu Ali");
    assert!(weak < DEFAULT_MIN_SCORE && weak > 0.5, "weak alias capped, got {weak}");
    assert!(score(&index, "Abdul Rahman Al Tikriti") > 0.99);
}

#[test]
fn remove_stops_matching_and_upsert_replaces() {
    let mut index = index_of(vec![(
        1,
        party(&["Golden Dawn Shipping"], EntityKind::Organisation, &[]),
    )]);
    assert_eq!(index.len(), 1);
    index.upsert(1, vec![party(&["Silver Moon Trading"], EntityKind::Organisation, &[])]);
    assert_eq!(index.len(), 1);
    assert!(score(&index, "Golden Dawn Shipping") < 0.5);
    assert!(score(&index, "Silver Moon Trading") > 0.99);
    index.remove(&1);
    assert!(index.is_empty());
    assert!(index.screen(&Query::new("Silver Moon Trading")).is_empty());
}

#[test]
fn hits_explain_themselves() {
    let index = index_of(vec![(7, party(&["MADURO MOROS, Nicolas"], EntityKind::Person, &[]))]);
    let hit = best(&index, &Query::new("nicolas maduro moros")).expect("hit");
    assert_eq!(hit.key, 7);
    assert_eq!(hit.matched_name, "MADURO MOROS, Nicolas");
    let sum: f64 = hit.features.iter().map(|f| f.weight).sum();
    assert!((sum - hit.score).abs() < 1e-6);
}

#[test]
fn differing_numbers_penalize() {
    let index = index_of(vec![(1, party(&["Adrian Darya 1"], EntityKind::Vessel, &[]))]);
    assert!(score(&index, "Adrian Darya 1") > 0.99);
    assert!(score(&index, "Adrian Darya 2") < DEFAULT_MIN_SCORE);
}

#[test]
fn short_token_typos() {
    let index = index_of(vec![(1, party(&["Hu Jie"], EntityKind::Person, &[]))]);
    assert!(score(&index, "Hu Jei") > DEFAULT_MIN_SCORE);
}

/// One letter apart, but another Pinyin syllable: another surname (刘 and 卢), so another
/// person; a typo that leaves no syllable ("Liuu") still matches.
#[test]
fn chinese_syllables_one_edit_apart_are_other_names() {
    let index = index_of(vec![(1, party(&["Liu Jun"], EntityKind::Person, &[]))]);
    assert!(score(&index, "Lu Jun") < DEFAULT_MIN_SCORE);
    assert!(score(&index, "Liuu Jun") > DEFAULT_MIN_SCORE);
}

/// Many look-alike parties, some identical: more hits than a small `limit`, with ties between parties.
fn crowded_index() -> Index<u32> {
    let mut parties = Vec::new();
    let names = [
        "Golden Dawn Shipping",
        "Golden Dawn Shipping 2",
        "Goldan Dawn Shiping",
        "Golden Down Shipping",
        "Golden Dawn",
        "Golden Dawns Shipping",
        "GoldenDawn Shipping",
        "Golden Dawn Trading",
    ];
    for key in 0..200u32 {
        let name = names[key as usize % names.len()];
        let country = ["PA", "MT", "LR"][key as usize % 3];
        let mut doc = party(&[name], EntityKind::Organisation, &[country]);
        if key % 7 == 0 {
            doc.names.push(("Golden Dawn Shipping".into(), NameStrength::Weak));
        }
        parties.push((key, doc));
    }
    index_of(parties)
}

#[test]
fn small_limits_return_the_best_hits_of_brute_force() {
    let index = crowded_index();
    for name in [
        "Golden Dawn Shipping",
        "Goldan Dawn Shipping 2",
        "GoldenDawn",
        "Golden Dawn Trading Co",
    ] {
        for limit in [1, 3, 10, 50] {
            for country in [None, Some("MT".to_string())] {
                let query = Query {
                    limit,
                    country: country.clone(),
                    ..Query::new(name)
                };
                let hits = index.screen(&query);
                assert_eq!(hits, index.screen_brute_force(&query), "{query:?}");
                assert_eq!(hits.len(), limit.min(hits.len()));
            }
        }
    }
}

#[test]
fn a_small_limit_keeps_the_first_hits_of_a_larger_one() {
    let index = crowded_index();
    let query = |limit| Query {
        limit,
        ..Query::new("Golden Dawn Shipping")
    };
    let all = index.screen(&query(100));
    assert!(
        all.windows(2).all(|w| w[0].score > w[1].score || w[0].key < w[1].key),
        "ties by key"
    );
    for limit in [1, 2, 5] {
        assert_eq!(index.screen(&query(limit)), all[..limit]);
    }
}

#[test]
fn common_words_carry_less_than_distinctive_ones() {
    let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "du"];
    let companies = (0..500u32).map(|i| {
        let word: String = [i % 10, i / 10 % 10, i / 100 % 10]
            .iter()
            .map(|d| syllables[*d as usize])
            .collect();
        (
            i,
            party(
                &[&format!("{word}bex Electronic Technology")],
                EntityKind::Organisation,
                &[],
            ),
        )
    });
    let companies: Vec<_> = companies
        .chain([(
            1000,
            party(&["Vandoria Electronic Technology"], EntityKind::Organisation, &[]),
        )])
        .collect();
    let by_length = index_of(companies.clone());
    let mut by_rarity = index_of(companies);
    by_rarity.set_rarity_floor(0);
    let other = "Kestrelon Electronic Technology";
    assert!(
        score(&by_rarity, other) < score(&by_length, other) - 0.05,
        "the industry alone is no match: {} vs {}",
        score(&by_rarity, other),
        score(&by_length, other)
    );
    let query = Query {
        min_score: 0.0,
        ..Query::new(other)
    };
    let hit = best(&by_rarity, &query).expect("a hit");
    assert!(feature(&hit, "common_words").is_some_and(|w| w < 0.0), "{hit:?}");
    let sum: f64 = hit.features.iter().map(|f| f.weight).sum();
    assert!((sum - hit.score).abs() < 1e-6, "{hit:?}");
    assert!(score(&by_rarity, "Vandorria Electronic Technology") >= DEFAULT_MIN_SCORE);
}

/// Wade-Giles against Pinyin, Korean romanizations against each other: the same name.
/// Pinyin against Pinyin one aspiration apart, and Western names that merely split into
/// syllables: other names.
#[test]
fn romanizations_of_one_name_match_and_others_do_not() {
    let index = index_of(vec![
        (1, party(&["Jong Hui Ho"], EntityKind::Person, &[])),
        (2, party(&["Cao Yunpei"], EntityKind::Person, &[])),
        (3, party(&["Jin Wei"], EntityKind::Person, &[])),
        (4, party(&["Tula Smith"], EntityKind::Person, &[])),
        (5, party(&["Sato Hiroshi"], EntityKind::Person, &[])),
    ]);
    for same in ["Jeong Hee-ho", "Tsao Yun-pei", "Satou Hiroshi"] {
        assert!(score(&index, same) > DEFAULT_MIN_SCORE, "{same}");
    }
    for other in ["Qin Wei", "Dora Smith"] {
        assert!(score(&index, other) < DEFAULT_MIN_SCORE, "{other}");
    }
}

#[test]
fn a_chinese_given_name_missing_a_syllable_is_another_name() {
    for (listed, query) in [
        ("ZHENG XIAOLU", "Zheng Xiao"),
        ("Deng Mei", "Deng Meiqian"),
        ("YAO FU", "Fu Yaojia"),
    ] {
        let index = index_of(vec![(1, party(&[listed], EntityKind::Person, &[]))]);
        assert!(
            score(&index, query) < 0.85,
            "{listed} / {query}: {}",
            score(&index, query)
        );
    }
    // The same syllables split or glued are the same name.
    for (listed, query) in [("Zhang Liling", "Zhang Li Ling"), ("ZHENG XIAOLU", "Zheng Xiao-lu")] {
        let index = index_of(vec![(1, party(&[listed], EntityKind::Person, &[]))]);
        assert!(
            score(&index, query) > 0.99,
            "{listed} / {query}: {}",
            score(&index, query)
        );
    }
}

#[test]
fn function_words_that_are_syllables_of_a_chinese_name_stay() {
    let index = index_of(vec![(1, party(&["Cai Desong"], EntityKind::Person, &["CN"]))]);
    for query in ["Cai De Song", "蔡德松"] {
        assert!(score(&index, query) > 0.99, "{query}: {}", score(&index, query));
    }
    // Elsewhere "de" and "da" are particles, whichever way a listing writes them.
    let index = index_of(vec![(1, party(&["Maria Silva"], EntityKind::Person, &[]))]);
    assert!(score(&index, "Maria da Silva") > 0.99);
}

#[test]
fn initials_written_with_dots_are_initials() {
    for (listed, query) in [
        ("Veniamin Timurovich Patrushev", "PATRUSHEV V.T."),
        ("Roman Sergeevich Gusev", "Gusev R.S."),
        // "Y" and "E" are also the Spanish and Portuguese "and".
        ("LEVINA YEVGENIYA RUSTAMOVNA", "Y. RUSTAMOVNA LEVINA"),
    ] {
        let index = index_of(vec![(1, party(&[listed], EntityKind::Person, &[]))]);
        assert!(
            score(&index, query) > 0.9,
            "{listed} / {query}: {}",
            score(&index, query)
        );
    }
    // A company's dotted letters are its legal form or acronym, not initials that would
    // meet any word of their letter.
    let index = index_of(vec![(1, party(&["Estrella C.A."], EntityKind::Organisation, &[]))]);
    assert!(score(&index, "Estrella Crescent") < 0.85);
    let index = index_of(vec![(1, party(&["Venta S.p.A"], EntityKind::Organisation, &[]))]);
    assert!(score(&index, "Venta") > 0.99, "a legal form without its last dot");
}
