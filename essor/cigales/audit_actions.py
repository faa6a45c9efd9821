"""The audit codes of the CIGALES module and their French labels (transitions add their own)."""

from essor.core import audit

audit.register_actions(
    {
        "cigales.club.create": "Club CIGALES créé",
        "cigales.club.update": "Règles du club modifiées",
        "cigales.member.add": "Membre ajouté au club",
        "cigales.member.leave": "Sortie d'un membre du club",
        "cigales.officer.elect": "Mandat enregistré",
        "cigales.saving.record": "Épargne du mois enregistrée",
        "cigales.handback.record": "Restitution à un membre enregistrée",
        "cigales.meeting.create": "Réunion créée",
        "cigales.meeting.attendance": "Présences enregistrées",
        "cigales.meeting.vote": "Votes enregistrés",
        "cigales.meeting.close": "Procès-verbal arrêté",
        "cigales.project.create": "Projet proposé au club",
        "cigales.project.mentors": "Parrains du projet désignés",
        "cigales.investment.record": "Investissement enregistré",
        "cigales.leverage.record": "Effet de levier enregistré",
        "cigales.follow_up.record": "Suivi enregistré",
        "cigales.exit.record": "Sortie d'un investissement enregistrée",
        "cigales.statement.read": "Relevé annuel d'un membre consulté",
    }
)
