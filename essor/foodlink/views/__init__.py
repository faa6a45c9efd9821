"""Views of the foodlink module, one module per actor: `public` (the guide of producers, their
pages, the booklet), `space` (the person's home, producers and canteens alike),
`producer` (profile, offers), `canteen` (consultations, awards, purchase orders, purchases,
EGalim) and `administration` (the agency: validation of profiles, producers and canteens).
Services run through `core.forms.run_service`."""
