-- M5 «Совпадающие профили выполнения», per evaluated school x work.
-- In each class of the work with >= m5_min_class (5) pupils with an Отметка: the pupils with a
-- primary score in [mark-3 minimum, mark-5 minimum) whose vector of task scores (X as its own
-- symbol) is shared by at least m5_min_identical (3) pupils of the class, i.e. the pupil and two
-- others; share = those pupils / the class's pupils with an Отметка, in percent. Near-maximum
-- works coincide honestly in strong classes, hence the range. value = the largest share over the
-- work's classes (null when no class is large enough); flagged when value >= m5_share_min (20).
with params as (

    {{ marker_params(['m5_min_class', 'm5_min_identical', 'm5_share_min']) }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

pupils as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where mark is not null

),

vectors as (

    select * from {{ ref('int_vpr_pupil_vectors') }}

),

class_sizes as (

    select
        year,
        work,
        school_code,
        class_key,
        any_value(class_name) as class_name,
        count(*) as class_pupils
    from pupils
    group by year, work, school_code, class_key

),

mid_range_pupils as (

    select
        pupils.year,
        pupils.work,
        pupils.class_key,
        pupils.min_mark3,
        pupils.min_mark5,
        vectors.vector_hash
    from pupils
    inner join vectors
        on pupils.pupil_work_id = vectors.pupil_work_id
    where pupils.primary_score >= pupils.min_mark3
        and pupils.primary_score < pupils.min_mark5

),

identical_groups as (

    select
        year,
        work,
        class_key,
        vector_hash,
        any_value(min_mark3) as min_mark3,
        any_value(min_mark5) as min_mark5,
        count(*) as pupils
    from mid_range_pupils
    group by year, work, class_key, vector_hash

),

class_identical as (

    select
        identical_groups.year,
        identical_groups.work,
        identical_groups.class_key,
        any_value(identical_groups.min_mark3) as min_mark3,
        any_value(identical_groups.min_mark5) as min_mark5,
        sum(identical_groups.pupils) as identical_pupils,
        count(*) as identical_groups
    from identical_groups
    cross join params
    where identical_groups.pupils >= params.m5_min_identical
    group by identical_groups.year, identical_groups.work, identical_groups.class_key

),

class_shares as (

    select
        class_sizes.year,
        class_sizes.work,
        class_sizes.school_code,
        class_sizes.class_name,
        class_sizes.class_pupils,
        coalesce(class_identical.identical_pupils, 0) as identical_pupils,
        coalesce(class_identical.identical_groups, 0) as identical_groups,
        class_identical.min_mark3,
        class_identical.min_mark5,
        100.0e0 * coalesce(class_identical.identical_pupils, 0) / class_sizes.class_pupils as share_pct
    from class_sizes
    left join class_identical
        on class_sizes.year = class_identical.year
        and class_sizes.work = class_identical.work
        and class_sizes.class_key = class_identical.class_key
    cross join params
    where class_sizes.class_pupils >= params.m5_min_class

),

work_max_shares as (

    select
        year,
        work,
        school_code,
        max(share_pct) as share_pct,
        -- ties on the share (3 of 9 and 4 of 12) broken by more pupils, then the class name:
        -- the same class named on every run and on every engine
        max_by(
            {{ make_struct({
                'class_name': 'class_name',
                'class_pupils': 'class_pupils',
                'identical_pupils': 'identical_pupils',
                'identical_groups': 'identical_groups',
                'min_mark3': 'min_mark3',
                'min_mark5': 'min_mark5'
            }) }},
            {{ make_struct({'share': 'share_pct', 'pupils': 'identical_pupils', 'class': 'class_name'}) }}
        ) as top_class
    from class_shares
    group by year, work, school_code

),

tested as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work,
        work_max_shares.share_pct,
        work_max_shares.top_class,
        params.m5_share_min as threshold
    from school_works
    left join work_max_shares
        on school_works.year = work_max_shares.year
        and school_works.work = work_max_shares.work
        and school_works.school_code = work_max_shares.school_code
    cross join params

),

final as (

    select
        year,
        school_code,
        work,
        'M5' as marker_code,
        share_pct::double as value,
        threshold::double as threshold,
        coalesce(share_pct >= threshold, false)::integer as flagged,
        case
            when share_pct >= threshold then
                'в классе ' || top_class.class_name || ' у ' || top_class.identical_pupils
                || ' из ' || top_class.class_pupils
                || ' ' || {{ ru_of('top_class.class_pupils', 'участника', 'участников') }} || ' ('
                || {{ ru_number('share_pct') }}
                || ' %) баллы по всем заданиям совпадают с баллами ещё не менее двух одноклассников ('
                || 'групп одинаковых работ: ' || top_class.identical_groups || '; первичный балл от '
                || top_class.min_mark3 || ' до ' || (top_class.min_mark5 - 1) || ')'
        end as explanation_ru,
        top_class.class_name as top_class_name,
        top_class.class_pupils as top_class_pupils,
        top_class.identical_pupils as top_class_identical_pupils
    from tested

)

select * from final
