"""Near copies of selfies (issue 26; CONTRACT.md "Proof of presence that GPS and a gallery cannot fake"):
an old photo re-encoded, rescaled, cropped or brightened is SELFIE_REUSED; a different photo is not. The images
are real, drawn here and encoded by Debian's python3-pil."""
import io
import random

from harness import Agency, Phone, admin_env, check, eq, jpeg, make_staff, test


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.agency.office(env.agency.unit_a["id"])
    env.reviewer = make_staff(env, "reviewer", env.agency.top["id"])
    return env


def teardown(env):
    env.close()


def photo(seed, size=(800, 600)):
    """A picture with the structure of a photo (a gradient, a figure, objects), different for each seed."""
    from PIL import Image, ImageDraw, ImageFilter
    rng = random.Random(seed)
    w, h = size
    im = Image.new("RGB", size)
    d = ImageDraw.Draw(im)
    top, bottom = [rng.randrange(256) for _ in range(3)], [rng.randrange(256) for _ in range(3)]
    for y in range(h):
        d.line([(0, y), (w, y)], fill=tuple(int(top[c] + (bottom[c] - top[c]) * y / h) for c in range(3)))
    for _ in range(12):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(30, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)((x - r, y - r, x + r, y + r), fill=colour)
    return im.filter(ImageFilter.GaussianBlur(2))


def encoded(im, kind="JPEG", **options):
    out = io.BytesIO()
    im.save(out, kind, **options)
    return out.getvalue()


def reuse(r):
    eq(r.status, 201, f"the check-in: {r}")
    return [v for v in r.json()["violations"] if v["code"] == "SELFIE_REUSED"]


def evidence(env, violation_id):
    got = env.svc.request("GET", f"/v1/violations/{violation_id}", token=env.reviewer)
    eq(got.status, 200, f"the violation: {got}")
    return got.json()["evidence"]


@test
def a_re_encoded_rescaled_cropped_or_brightened_old_photo_is_reused_and_another_is_not(env):
    from PIL import ImageEnhance
    unit = env.agency.unit_a["id"]
    original = photo(1)
    first = Phone(env.svc, env.db, unit).checkin(selfie=encoded(original, quality=92))
    eq(reuse(first), [], "a photo never seen")
    first_id = first.json()["checkin_id"]
    w, h = original.size
    copies = {
        "re-encoded as a poorer JPEG": encoded(original, quality=45),
        "rescaled to 60% and saved as PNG": encoded(original.resize((w * 6 // 10, h * 6 // 10)), "PNG"),
        "cropped by 4%": encoded(original.crop((w // 50, h // 50, w - w // 50, h - h // 50)), quality=85),
        "brightened by 15%": encoded(ImageEnhance.Brightness(original).enhance(1.15), quality=85),
        "a progressive JPEG in grey": encoded(original.convert("L"), quality=80, progressive=True),
    }
    for what, data in copies.items():
        flagged = reuse(Phone(env.svc, env.db, unit).checkin(selfie=data))
        eq(len(flagged), 1, f"{what}: SELFIE_REUSED")
        e = evidence(env, flagged[0]["violation_id"])
        eq((e["earlier_checkin_id"], e["match"]), (first_id, "perceptual"), f"{what}: the evidence {e}")
        check(0 <= e["distance_bits"] <= 8, f"{what}: the distance {e['distance_bits']}")
    for seed in range(2, 7):
        eq(reuse(Phone(env.svc, env.db, unit).checkin(selfie=encoded(photo(seed), quality=85))), [],
           f"a different photo ({seed}) is no reuse")
    stored = env.db.sql("SELECT count(*) FROM selfie_phashes p JOIN checkins c ON c.id = p.checkin_id"
                        " WHERE c.unit_id = :'u' AND p.phash = c.selfie_phash", f"u={unit}")
    eq(stored, [["11"]], "every decoded selfie's hash is kept with its check-in and indexed")


@test
def the_same_phone_reusing_its_morning_photo_at_night_is_caught_past_the_cache(env):
    unit = env.agency.unit_a["id"]
    p = Phone(env.svc, env.db, unit)
    morning = photo(40)
    eq(reuse(p.checkin(selfie=encoded(morning, quality=90))), [], "the morning's photo")
    # The phone's facts are cached now, and the cache cannot know of near copies: the store's guard does.
    again = reuse(p.checkin(type="out", selfie=encoded(morning.resize((400, 300)), quality=70)))
    eq(len(again), 1, "the same photo, smaller, at night")


@test
def a_photo_of_more_than_90_days_ago_is_no_near_copy(env):
    unit = env.agency.unit_a["id"]
    old = photo(80)
    first = Phone(env.svc, env.db, unit).checkin(selfie=encoded(old, quality=90))
    eq(reuse(first), [], "first seen")
    # As if it had been sent 91 days ago (the search's window is the hash's day, by its own index).
    env.db.sql("UPDATE selfie_phashes SET local_day = local_day - 91 WHERE checkin_id = :'c'",
               f"c={first.json()['checkin_id']}")
    second = Phone(env.svc, env.db, unit).checkin(selfie=encoded(old, quality=60))
    eq(reuse(second), [], "a near copy of a photo of 91 days ago")
    env.db.sql("UPDATE selfie_phashes SET local_day = local_day - 91 WHERE checkin_id = :'c'",
               f"c={second.json()['checkin_id']}")
    env.db.sql("UPDATE selfie_phashes SET local_day = local_day + 2 WHERE checkin_id = :'c'",
               f"c={first.json()['checkin_id']}")
    flagged = reuse(Phone(env.svc, env.db, unit).checkin(selfie=encoded(old, quality=50)))
    eq(len(flagged), 1, "a near copy of one of 89 days ago")
    eq(evidence(env, flagged[0]["violation_id"])["earlier_checkin_id"], first.json()["checkin_id"], "that one")


@test
def the_match_bits_setting_and_images_that_do_not_decode(env):
    unit = env.agency.unit_a["id"]
    garbage = jpeg(3000)  # a JPEG by its magic bytes only: compared by SHA-256
    eq(reuse(Phone(env.svc, env.db, unit).checkin(selfie=garbage)), [], "first seen")
    flagged = reuse(Phone(env.svc, env.db, unit).checkin(selfie=garbage))
    eq(len(flagged), 1, "the same bytes again")
    e = evidence(env, flagged[0]["violation_id"])
    eq((e["match"], e["distance_bits"]), ("sha256", 0), f"by SHA-256: {e}")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE selfie_phash IS NULL AND selfie_sha256 = :'s'",
                  f"s={__import__('hashlib').sha256(garbage).hexdigest()}"), [["2"]], "no hash for them")
    # A service that matches nothing but identical hashes (ATTENDANCE_SELFIE_MATCH_BITS=0).
    from harness import Service
    strict = Service(env.db.url, migrate=False, ATTENDANCE_SELFIE_MATCH_BITS="0")
    try:
        from PIL import ImageEnhance
        base = photo(60)
        w, h = base.size
        eq(reuse(Phone(strict, env.db, unit).checkin(selfie=encoded(base, quality=90))), [], "first")
        passed = 0
        for copy in (base.crop((w // 25, h // 25, w - w // 25, h - h // 25)),
                     ImageEnhance.Brightness(base).enhance(1.2), base.resize((w // 3, h // 3))):
            flagged = reuse(Phone(strict, env.db, unit).checkin(selfie=encoded(copy, quality=60)))
            passed += not flagged
            for v in flagged:
                eq(evidence(env, v["violation_id"])["distance_bits"], 0, "within 0 bits only")
        check(passed > 0, "a copy some bits away is no reuse at 0 bits")
    finally:
        strict.close()
