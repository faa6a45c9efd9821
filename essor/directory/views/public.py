from django.shortcuts import render


def search(request):
    return render(request, "directory/search.html", {})


def open_data(request):
    return render(request, "directory/open_data.html", {})
