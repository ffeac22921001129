"""Teams, their topics and members, each case's team, and staff's away dates (StaffProfile).

Makes the default team, puts each case in the team of its topic or the default team, and lets the
Case reviewers view the teams.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

DEFAULT_TEAM = {"name_en": "Helpdesk", "name_fr": "Service d'assistance"}
REVIEWERS = "Case reviewers"


def seed(apps, schema_editor):
    # Permissions are normally made after all migrations; the reviewers' one is needed now.
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    create_default_team(apps)
    let_reviewers_view_teams(apps)


def create_default_team(apps):
    """The default team, and each case without a team in the team of its topic, else the default one."""
    Team = apps.get_model("cases", "Team")
    Case = apps.get_model("cases", "Case")
    default = Team.objects.filter(is_default=True).first() or Team.objects.create(is_default=True, **DEFAULT_TEAM)
    for team in Team.objects.exclude(pk=default.pk):
        Case.objects.filter(team__isnull=True, topic__in=team.topics.all()).update(team=team)
    Case.objects.filter(team__isnull=True).update(team=default)


def let_reviewers_view_teams(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=REVIEWERS).first()
    if group is not None:
        group.permissions.add(Permission.objects.get(content_type__app_label="cases", codename="view_team"))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_event_and_email_choices'),
        ('helpdesk', '0002_moved_content_types'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('away_from', models.DateField(blank=True, help_text='The first day you are away. Left empty with a last day: away from today.', null=True, verbose_name='away from')),
                ('away_until', models.DateField(blank=True, help_text='The last day you are away. Left empty with a first day: away until you empty the first day.', null=True, verbose_name='away until')),
                ('language', models.CharField(blank=True, choices=[('en', 'English'), ('fr', 'French')], help_text='Empty: the language of your browser.', max_length=2, verbose_name='language of emails to you')),
                ('last_assigned_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last assigned a case')),
                ('user', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='staff_profile', to=settings.AUTH_USER_MODEL, verbose_name='member of staff')),
            ],
            options={
                'verbose_name': 'staff profile',
                'verbose_name_plural': 'staff profiles',
            },
        ),
        migrations.CreateModel(
            name='Team',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name_en', models.CharField(help_text='Example: "Payments"', max_length=200, verbose_name='name (English)')),
                ('name_fr', models.CharField(help_text='Example: "Payments"', max_length=200, verbose_name='name (French)')),
                ('round_robin', models.BooleanField(default=False, help_text='Each new case is assigned to the member assigned a case least recently, among those who are active, may view cases and are not away today.', verbose_name='assign new cases in turn')),
                ('is_default', models.BooleanField(default=False, help_text='Gets the cases of topics no team owns. Exactly one team is the default.', verbose_name='default team')),
                ('leads', models.ManyToManyField(blank=True, help_text='Leads are members of the team too.', related_name='teams_led', to=settings.AUTH_USER_MODEL, verbose_name='leads')),
                ('members', models.ManyToManyField(blank=True, related_name='teams', to=settings.AUTH_USER_MODEL, verbose_name='members')),
                ('topics', models.ManyToManyField(blank=True, help_text='The team gets the cases of these topics. A topic belongs to one team at most.', related_name='teams', to='helpdesk.topic', verbose_name='topics')),
            ],
            options={
                'verbose_name': 'team',
                'verbose_name_plural': 'teams',
                'ordering': ['name_en', 'id'],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='team',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='cases.team', verbose_name='team'),
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='cases_team_one_default'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
