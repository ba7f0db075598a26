output "ip" {
  description = "Public IPv4 address of the droplet."
  value       = digitalocean_droplet.app.ipv4_address
}

output "url" {
  description = "The API and web UI (HTTP on port 80; put TLS in front for production)."
  value       = "http://${digitalocean_droplet.app.ipv4_address}/ui/"
}

output "ssh" {
  description = "Log in (the API token is in /opt/unetops/repo/deploy/.env)."
  value       = "ssh root@${digitalocean_droplet.app.ipv4_address}"
}
