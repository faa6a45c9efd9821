"""The share's own history table is gone: the transition log holds it (see 0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("funding", "0006_share_events_to_state_log")]

    operations = [migrations.DeleteModel(name="ShareEvent")]
